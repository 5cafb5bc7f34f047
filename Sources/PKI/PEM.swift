import Foundation

/// PEM text as cfssljson and openssl write it: 64-column base64 lines, LF endings, a final newline.
public enum PEM {
    public static func encode(type: String, der: [UInt8]) -> String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(type)-----\n\(body)\n-----END \(type)-----\n"
    }
}
