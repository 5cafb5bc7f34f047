import Foundation

/// A file to put on a host: where, with which mode and owner, holding what.
public struct RemoteFile: Sendable, Equatable {
    public var path: String
    public var mode: UInt16
    public var owner: String
    public var contents: Data

    public init(path: String, mode: UInt16, owner: String = "root:root", contents: Data) {
        self.path = path
        self.mode = mode
        self.owner = owner
        self.contents = contents
    }
}

/// A POSIX ustar archive, written in memory: how a batch of files crosses one ssh connection and
/// lands with its modes and owners (`tar -x -p` as root), whatever their size.
public enum Tar {
    public static func archive(_ files: [RemoteFile], modified: Date = Date()) throws -> Data {
        var data = Data()
        for file in files {
            data.append(try header(for: file, modified: modified))
            data.append(file.contents)
            let padding = (512 - file.contents.count % 512) % 512
            data.append(Data(count: padding))
        }
        data.append(Data(count: 1024))
        return data
    }

    struct NameTooLong: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is too long for a tar header" }
    }

    static func header(for file: RemoteFile, modified: Date) throws -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        let relative = file.path.hasPrefix("/") ? String(file.path.dropFirst()) : file.path
        var name = relative
        var prefix = ""
        if relative.utf8.count > 100 {
            // Split at a slash so the name fits 100 bytes and the prefix 155.
            guard let cut = relative.indices.filter({ relative[$0] == "/" }).first(where: {
                relative[relative.index(after: $0)...].utf8.count <= 100 && relative[..<$0].utf8.count <= 155
            }) else { throw NameTooLong(path: file.path) }
            prefix = String(relative[..<cut])
            name = String(relative[relative.index(after: cut)...])
        }
        let owner = file.owner.split(separator: ":").map(String.init)
        func put(_ text: String, at offset: Int, length: Int) {
            for (index, byte) in text.utf8.prefix(length).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, length: Int) {
            put(String(repeating: "0", count: max(0, length - 1 - String(value, radix: 8).count)) + String(value, radix: 8), at: offset, length: length - 1)
        }
        put(name, at: 0, length: 100)
        octal(Int(file.mode), at: 100, length: 8)
        octal(0, at: 108, length: 8)
        octal(0, at: 116, length: 8)
        octal(file.contents.count, at: 124, length: 12)
        octal(Int(modified.timeIntervalSince1970), at: 136, length: 12)
        put("        ", at: 148, length: 8)
        block[156] = UInt8(ascii: "0")
        put("ustar", at: 257, length: 6)
        put("00", at: 263, length: 2)
        put(owner.first ?? "root", at: 265, length: 32)
        put(owner.count > 1 ? owner[1] : (owner.first ?? "root"), at: 297, length: 32)
        put(prefix, at: 345, length: 155)
        let sum = block.reduce(0) { $0 + Int($1) }
        let text = String(sum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - text.count)) + text, at: 148, length: 6)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        return Data(block)
    }
}
