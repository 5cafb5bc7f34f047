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
    public var csrPEM: String?
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

    /// Creates the directory with mode 0700 (tightening an existing one) and removes the temporary
    /// files of an interrupted run.
    public func prepare() throws {
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        FileBatch.removeLeftovers(in: directory)
        for backup in (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/replaced")) ?? [] {
            FileBatch.removeLeftovers(in: "\(directory)/replaced/\(backup)")
        }
    }

    /// The names of the files in the directory: one read instead of probing each path.
    public func listing() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
    }

    public func load(_ name: String) -> StoredMaterial { load(name, present: listing()) }

    /// Reads the files of `name` that `present` (a `listing()`) says exist.
    public func load(_ name: String, present: Set<String>) -> StoredMaterial {
        var material = StoredMaterial()
        if present.contains("\(name).pem"), let text = Self.readText(certificatePath(name)) {
            material.certificatePEM = text
            do {
                material.certificate = try Certificate(pemEncoded: text)
            } catch {
                material.certificateProblem = "\(certificatePath(name)) is not a readable PEM certificate"
            }
        }
        if present.contains("\(name)-key.pem"), let text = Self.readText(keyPath(name)) {
            material.keyPEM = text
            var info = stat()
            if stat(keyPath(name), &info) == 0 { material.keyMode = info.st_mode & 0o777 }
            do {
                material.key = try PrivateKeyMaterial(pem: text)
            } catch {
                material.keyProblem = "\(keyPath(name)) is not a readable private key"
            }
        }
        if present.contains("\(name).csr") { material.csrPEM = Self.readText(csrPath(name)) }
        return material
    }

    static func readText(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Stages a key (when given), certificate and CSR for `name` in `batch`; files that change are
    /// first copied to `backup`. `previous` is what `load` found, so nothing is read twice. The key is
    /// renamed into place first: a crash between the renames leaves a key that does not match its
    /// certificate, which the next run detects and repairs.
    public func stage(_ name: String, issued: IssuedCertificate, keyPEM: String?, previous: StoredMaterial,
                      backup: BackupDirectory, batch: FileBatch, order: Int) throws {
        if let keyPEM { try stage("\(name)-key.pem", keyPEM, mode: 0o600, previous: previous.keyPEM, backup: backup, batch: batch, order: order) }
        try stage("\(name).pem", issued.certificatePEM, mode: 0o644, previous: previous.certificatePEM, backup: backup, batch: batch, order: order)
        try stage("\(name).csr", issued.csrPEM, mode: 0o644, previous: previous.csrPEM, backup: backup, batch: batch, order: order)
    }

    func stage(_ file: String, _ contents: String, mode: mode_t, previous: String?, backup: BackupDirectory, batch: FileBatch, order: Int) throws {
        if let previous {
            if previous == contents { return }
            var info = stat()
            let oldMode = stat("\(directory)/\(file)", &info) == 0 ? info.st_mode & 0o777 : mode
            try backup.save(Array(previous.utf8), named: file, mode: oldMode, batch: batch)
        }
        try batch.stage(Array(contents.utf8), directory: directory, name: file, mode: mode, order: order)
    }

    /// Sets a key file's mode to 0600; returns whether it changed.
    public func tightenKey(_ name: String) -> Bool { chmod(keyPath(name), 0o600) == 0 }
}

/// `pki/replaced/<UTC time>/`: created on first use, so a run that replaces nothing leaves nothing.
public final class BackupDirectory: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var created = false
    private var savedNames: [String] = []
    /// The names backed up so far.
    public var saved: [String] { lock.withLock { savedNames } }

    public init(parent: String, now: Date) {
        let stamp = UTCTime.stamp(now)
        var candidate = "\(parent)/replaced/\(stamp)"
        var suffix = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(parent)/replaced/\(stamp)-\(suffix)"
            suffix += 1
        }
        self.path = candidate
    }

    /// Backups are staged first of all (order -1): they are on disk before anything they preserve is replaced.
    func save(_ bytes: [UInt8], named name: String, mode: mode_t, batch: FileBatch) throws {
        try lock.withLock {
            if !created {
                try AtomicFile.makeDirectory("\((path as NSString).deletingLastPathComponent)", mode: 0o700)
                try AtomicFile.makeDirectory(path, mode: 0o700)
                created = true
            }
            savedNames.append(name)
        }
        try batch.stage(bytes, directory: path, name: name, mode: mode, order: -1)
    }

    public var wasUsed: Bool { lock.withLock { created } }
}
