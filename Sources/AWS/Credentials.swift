import Foundation

/// An access key, with the session token of temporary credentials. `source` says where it came from,
/// for messages ("environment", "~/.aws/credentials [dev]").
public struct AWSCredentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String = "given") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }
}

/// The standard places, in the order the AWS CLI reads them: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
/// (and AWS_SESSION_TOKEN), then the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
/// ~/.aws/credentials) under the profile AWS_PROFILE names, or `default`.
public enum CredentialChain {
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AWSCredentials {
        let profileSet = environment["AWS_PROFILE"].map { !$0.isEmpty } ?? false
        if !profileSet, let key = nonEmpty(environment["AWS_ACCESS_KEY_ID"]) {
            guard let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"]) else {
                throw AWSError(.missingCredentials, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
                                             fix: "export AWS_SECRET_ACCESS_KEY too, or unset AWS_ACCESS_KEY_ID to use ~/.aws/credentials")
            }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]), source: "environment")
        }
        let profile = nonEmpty(environment["AWS_PROFILE"]) ?? "default"
        let path = nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"])
            ?? "\(nonEmpty(environment["HOME"]) ?? NSHomeDirectory())/.aws/credentials"
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw AWSError(.missingCredentials, "no AWS credentials: AWS_ACCESS_KEY_ID is not set and \(path) cannot be read",
                                         fix: "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure`")
        }
        let sections = parseINI(text)
        guard let section = sections[profile] else {
            let known = sections.keys.sorted()
            throw AWSError(.missingCredentials, "profile \"\(profile)\" is not in \(path)\(known.isEmpty ? "" : " (it has: \(known.joined(separator: ", ")))")",
                                         fix: "set AWS_PROFILE to one of its profiles, or run `aws configure --profile \(profile)`")
        }
        guard let key = nonEmpty(section["aws_access_key_id"]), let secret = nonEmpty(section["aws_secret_access_key"]) else {
            throw AWSError(.missingCredentials, "profile \"\(profile)\" in \(path) has no aws_access_key_id and aws_secret_access_key",
                                         fix: "add both keys to [\(profile)], or run `aws configure --profile \(profile)`")
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: nonEmpty(section["aws_session_token"]),
                              source: "\(path) [\(profile)]")
    }

    /// `[section]` headers and `key = value` lines; `#` and `;` start comments. Keys are lowercased.
    public static func parseINI(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                var name = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                // ~/.aws/config writes `[profile dev]`; the credentials file writes `[dev]`.
                if name.hasPrefix("profile ") { name = String(name.dropFirst(8)).trimmingCharacters(in: .whitespaces) }
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
        }
        return sections
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
