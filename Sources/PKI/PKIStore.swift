import Foundation
import X509
#if canImport(Glibc)
import Glibc
#endif

/// What is on disk for one certificate name: the files, parsed when they parse.
public struct StoredMaterial: Sendable {
    public var certificatePEM: String?
    public var certificate: Certificate?
    /// Set when the certificate file exists but cannot be read as a certificate.
    public var certificateProblem: String?
    public var keyPEM: String?
    public var key: PrivateKeyMaterial?
    public var keyProblem: String?
    /// Permission bits of the key file, when it exists.
    public var keyMode: mode_t?

    public var exists: Bool { certificatePEM != nil || keyPEM != nil }
}

/// A `pki/` directory in cfssljson's layout: `NAME.pem`, `NAME-key.pem`, `NAME.csr`.
/// Keys are 0600, the directory 0700, and a replaced file is first copied to `replaced/<time>/`.
public struct PKIStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func certificatePath(_ name: String) -> String { "\(directory)/\(name).pem" }
    public func keyPath(_ name: String) -> String { "\(directory)/\(name)-key.pem" }
    public func csrPath(_ name: String) -> String { "\(directory)/\(name).csr" }

    /// Creates the directory with mode 0700 (tightening an existing one).
    public func prepare() throws { try AtomicFile.makeDirectory(directory, mode: 0o700) }

    public func load(_ name: String) -> StoredMaterial {
        var material = StoredMaterial()
        if let text = Self.readText(certificatePath(name)) {
            material.certificatePEM = text
            do {
                material.certificate = try Certificate(pemEncoded: text)
            } catch {
                material.certificateProblem = "\(certificatePath(name)) is not a readable PEM certificate"
            }
        }
        if let text = Self.readText(keyPath(name)) {
            material.keyPEM = text
            var info = stat()
            if stat(keyPath(name), &info) == 0 { material.keyMode = info.st_mode & 0o777 }
            do {
                material.key = try PrivateKeyMaterial(pem: text)
            } catch {
                material.keyProblem = "\(keyPath(name)) is not a readable private key"
            }
        }
        return material
    }

    static func readText(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes a key (when given), certificate and CSR for `name`. Existing files that change are
    /// first copied to `backup`. The key goes first: an interrupted run leaves a key that does not
    /// match its certificate, which the next run detects and repairs.
    public func write(_ name: String, issued: IssuedCertificate, keyPEM: String?, backup: BackupDirectory) throws {
        if let keyPEM { try replace(keyPath(name), with: keyPEM, mode: 0o600, backup: backup) }
        try replace(certificatePath(name), with: issued.certificatePEM, mode: 0o644, backup: backup)
        try replace(csrPath(name), with: issued.csrPEM, mode: 0o644, backup: backup)
    }

    func replace(_ path: String, with contents: String, mode: mode_t, backup: BackupDirectory) throws {
        if let old = FileManager.default.contents(atPath: path) {
            if Array(old) == Array(contents.utf8) { return }
            var info = stat()
            let oldMode = stat(path, &info) == 0 ? info.st_mode & 0o777 : mode
            try backup.save(Array(old), named: (path as NSString).lastPathComponent, mode: oldMode)
        }
        try AtomicFile.write(contents, to: path, mode: mode)
    }

    /// Sets a key file's mode to 0600; returns whether it changed.
    public func tightenKey(_ name: String) -> Bool { chmod(keyPath(name), 0o600) == 0 }
}

/// `pki/replaced/<UTC time>/`: created on first use, so a run that replaces nothing leaves nothing.
public final class BackupDirectory: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var created = false
    public private(set) var saved: [String] = []

    public init(parent: String, now: Date) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var candidate = "\(parent)/replaced/\(formatter.string(from: now))"
        var suffix = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(parent)/replaced/\(formatter.string(from: now))-\(suffix)"
            suffix += 1
        }
        self.path = candidate
    }

    func save(_ bytes: [UInt8], named name: String, mode: mode_t) throws {
        try lock.withLock {
            if !created {
                try AtomicFile.makeDirectory("\((path as NSString).deletingLastPathComponent)", mode: 0o700)
                try AtomicFile.makeDirectory(path, mode: 0o700)
                created = true
            }
            try AtomicFile.write(bytes, to: "\(path)/\(name)", mode: mode)
            saved.append(name)
        }
    }

    public var wasUsed: Bool { lock.withLock { created } }
}
