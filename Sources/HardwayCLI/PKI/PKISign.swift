import ArgumentParser
import Foundation
import X509
import PKI

/// `hardway pki sign`: `cfssl gencert … | cfssljson -bare NAME` in one step, from the same files.
struct PKISign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "sign a cfssl CSR JSON file as cfssl gencert | cfssljson -bare would",
        usage: UsageLine.wrapped("hardway pki sign", "[--initca] [--ca <file>] [--ca-key <file>] [--config <file>] [--profile <name>] [--hostname <list>] [--bare <name>] <csr.json>"),
        discussion: """
        Takes the tutorials' cfssl files unchanged and writes NAME.pem, NAME-key.pem (0600) and \
        NAME.csr, where NAME is --bare or the CSR file's name without -csr.json. Stricter than cfssl \
        where cfssl hides mistakes: an unknown -profile is an error (cfssl silently uses the default), \
        and an empty host (an unset shell variable) is refused instead of becoming `DNS:`.

        Examples:
          hardway pki sign --initca ca-csr.json
          hardway pki sign --ca ca.pem --ca-key ca-key.pem --config ca-config.json \\
              --profile kubernetes admin-csr.json
          hardway pki sign --ca ca.pem --ca-key ca-key.pem --config ca-config.json \\
              --profile kubernetes --hostname worker-0,10.240.0.20 worker-0-csr.json
        """
    )

    @Flag(name: .customLong("initca"), help: "make a self-signed CA from the CSR (cfssl gencert -initca)")
    var initCA = false

    @Option(help: ArgumentHelp("the CA certificate", valueName: "file"))
    var ca: String?

    @Option(name: .customLong("ca-key"), help: ArgumentHelp("the CA private key", valueName: "file"))
    var caKey: String?

    @Option(help: ArgumentHelp("cfssl signing configuration (ca-config.json); cfssl's defaults without it", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("the signing profile in --config (default: signing.default)", valueName: "name"))
    var profile: String?

    @Option(help: ArgumentHelp("comma-separated names and addresses; replaces the CSR's hosts", valueName: "list"))
    var hostname: String?

    @Option(help: ArgumentHelp("output name prefix, as cfssljson -bare takes it", valueName: "name"))
    var bare: String?

    @Argument(help: ArgumentHelp("the CSR JSON file", valueName: "csr.json"))
    var request: String

    func validate() throws {
        if initCA, ca != nil || caKey != nil {
            throw ValidationError("--initca makes a new CA; it takes no --ca or --ca-key")
        }
        if !initCA, ca == nil || caKey == nil {
            throw ValidationError("signing needs --ca and --ca-key (or --initca to make a CA)")
        }
    }

    func run() throws {
        let requestData = try read(request)
        let csr = try CFSSLRequest.parse(requestData, file: request)
        for field in csr.ignoredFields { Terminal.warning("\(request): field \"\(field)\" is not a cfssl CSR field and is ignored") }
        let name = bare ?? Self.defaultName(for: request)
        let now = Date()
        let issued: IssuedCertificate
        let key: PrivateKeyMaterial
        if initCA {
            (issued, key) = try CFSSLSigner.initCA(csr, now: now)
        } else {
            let authority = try loadAuthority()
            let signing = try config.map { try CFSSLConfig.parse(try read($0), file: $0) } ?? CFSSLConfig(defaultProfile: CFSSLConfig.builtinDefault, profiles: [:])
            let chosen = try signing.profile(profile, file: config ?? "cfssl's default configuration")
            let hostnames = hostname.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            (issued, key) = try CFSSLSigner.sign(csr, hostnames: hostnames, profile: chosen, authority: authority, now: now)
        }
        let parent = (name as NSString).deletingLastPathComponent
        let store = PKIStore(directory: parent.isEmpty ? "." : parent)
        let base = (name as NSString).lastPathComponent
        let backup = BackupDirectory(parent: store.directory, now: now)
        let batch = FileBatch()
        do {
            try store.stage(base, issued: issued, keyPEM: key.pem, previous: store.load(base), backup: backup, batch: batch, order: 0)
            try batch.commit()
        } catch {
            batch.abandon()
            throw error
        }
        Terminal.out("wrote \(name).pem, \(name)-key.pem, \(name).csr (\(SubjectName(issued.certificate.subject).description))")
        if backup.wasUsed { Terminal.out("the previous files were copied to \(backup.path)") }
    }

    func loadAuthority() throws -> CertificateAuthority {
        guard let ca, let caKey else { throw CLIError("signing needs --ca and --ca-key") }
        let certificate = try read(ca, as: Certificate.init(pemEncoded:),
                                   orElse: CLIError("\(ca) is not a PEM certificate", fix: "pass the CA's certificate, like ca.pem"))
        let key = try read(caKey, as: PrivateKeyMaterial.init(pem:),
                           orElse: CLIError("\(caKey) is not a private key hardway can read", fix: "pass the CA's key, like ca-key.pem"))
        guard key.key.publicKey == certificate.publicKey else {
            throw CLIError("\(caKey) is not the key of \(ca)", fix: "pass the key that was made with \(ca)")
        }
        return CertificateAuthority(certificate: certificate, key: key.key)
    }

    func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read \(path)", fix: FileManager.default.fileExists(atPath: path) ? "check its permissions" : "check the path")
        }
        return data
    }

    /// The file's text made into a `T` by `make`; what `make` refuses is `refusal`.
    func read<T>(_ path: String, as make: (String) throws -> T, orElse refusal: CLIError) throws -> T {
        let text = String(decoding: try read(path), as: UTF8.self)
        do {
            return try make(text)
        } catch {
            throw refusal
        }
    }

    /// `admin-csr.json` → `admin`, as the tutorials pair them.
    static func defaultName(for request: String) -> String {
        for suffix in ["-csr.json", ".json"] where request.hasSuffix(suffix) {
            return String(request.dropLast(suffix.count))
        }
        return request
    }
}
