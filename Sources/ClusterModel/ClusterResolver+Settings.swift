/// The settings sections: pki, encryption, ssh, binaries, addons, infra (the versions: `+Versions`).
extension ClusterResolver.Context {
    mutating func resolvePKI() -> Cluster.PKISettings? {
        let section = spec.pki
        var valid = true
        var algorithm = ClusterResolver.defaultKeyAlgorithm
        if let text = section?.keyAlgorithm {
            if let parsed = KeyAlgorithm(rawValue: text.lowercased()) {
                algorithm = parsed
            } else {
                error("invalid-value", "pki.keyAlgorithm", "unknown key algorithm \"\(text)\"", fix: "use one of: \(KeyAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
                valid = false
            }
        }
        func duration(_ text: String?, path: String, default value: ValidityDuration) -> ValidityDuration? {
            guard let text else { return value }
            guard let parsed = ValidityDuration(text) else {
                error("invalid-duration", path, "\"\(text)\" is not a duration", fix: "write hours like \(value) or days like 365d")
                return nil
            }
            return parsed
        }
        let validity = duration(section?.validity, path: "pki.validity", default: ClusterResolver.defaultValidity)
        let caValidity = duration(section?.caValidity, path: "pki.caValidity", default: ClusterResolver.defaultCAValidity)
        if let validity, let caValidity, validity.seconds > caValidity.seconds {
            error("invalid-duration", "pki.validity", "\(validity) is longer than pki.caValidity \(caValidity): certificates would outlive the CA that signs them",
                  fix: "shorten pki.validity or lengthen pki.caValidity")
            valid = false
        }
        if let validity, validity.seconds < 3600 {
            warning("short-validity", "pki.validity", "\(validity) is less than an hour: certificates will expire while the cluster is being built",
                    fix: "use at least a few days, like 8760h")
        }
        let subjectSpec = section?.subject
        var subject = Cluster.Subject()
        subject.country = subjectSpec?.country.flatMap { $0.isEmpty ? nil : $0 }
        subject.state = subjectSpec?.state.flatMap { $0.isEmpty ? nil : $0 }
        subject.locality = subjectSpec?.locality.flatMap { $0.isEmpty ? nil : $0 }
        subject.organizationalUnit = subjectSpec?.organizationalUnit.flatMap { $0.isEmpty ? nil : $0 }
        if let organization = subjectSpec?.organization, !organization.isEmpty { subject.organization = organization }
        if let country = subject.country, country.count != 2 || !country.allSatisfy({ $0.isASCII && $0.isLetter }) {
            warning("invalid-country", "pki.subject.country", "\"\(country)\" is not a two-letter country code; some tools reject such certificates",
                    fix: "use an ISO 3166 code like UK, IE or NO")
        }
        guard let validity, let caValidity, valid else { return nil }
        return Cluster.PKISettings(keyAlgorithm: algorithm, validity: validity, caValidity: caValidity, subject: subject)
    }

    mutating func resolveEncryption() -> Cluster.Encryption? {
        guard let text = spec.encryption?.provider else { return Cluster.Encryption(provider: ClusterResolver.defaultEncryptionProvider) }
        guard let provider = EncryptionProvider(rawValue: text.lowercased()) else {
            error("invalid-value", "encryption.provider", "unknown provider \"\(text)\"", fix: "use one of: \(EncryptionProvider.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return Cluster.Encryption(provider: provider)
    }

    mutating func resolveSSH() -> Cluster.SSH? {
        let section = spec.ssh
        let port = self.port(section?.port, path: "ssh.port", default: ClusterResolver.defaultSSHPort,
                             fix: "use 1-65535; sshd listens on 22 by default")
        var valid = true
        // These reach ssh's argv and, through ProxyCommand, `sh -c`: only what they can mean is taken.
        let user = section?.user ?? ClusterResolver.defaultSSHUser
        if !SSHTarget.isLoginName(user) {
            error("invalid-value", "ssh.user", "\(user.debugDescription) is not a login name (letters, digits, '_' and '-', not starting with '-')",
                  fix: "write the login name, like ubuntu")
            valid = false
        }
        if let bastion = section?.bastion, SSHTarget(bastion) == nil {
            error("invalid-value", "ssh.bastion", "\(bastion.debugDescription) is not a jump host: [user@]host[:port], with a DNS name or IPv4 address",
                  fix: "write it as ssh's -J takes it: user@host or user@host:port")
            valid = false
        }
        if let identity = section?.identityFile, let problem = SSHTarget.identityFileProblem(identity) {
            error("invalid-value", "ssh.identityFile", "\(identity.debugDescription) \(problem)",
                  fix: "write the path of the private key file, like ~/.ssh/id_ed25519")
            valid = false
        }
        guard let port, valid else { return nil }
        return Cluster.SSH(user: user, identityFile: section?.identityFile, port: port, bastion: section?.bastion)
    }

    mutating func resolveBinaries() -> Cluster.Binaries {
        if let dir = spec.binaries?.dir, dir.isEmpty || dir.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            error("invalid-value", "binaries.dir", "\(dir.debugDescription) is not a directory's path (it is empty or holds control characters)",
                  fix: "write the path of the directory that holds the binaries, or remove binaries.dir")
        }
        var mirror = spec.binaries?.mirror
        if let url = mirror, let problem = Cluster.Binaries.mirrorProblem(url) {
            error("invalid-value", "binaries.mirror", "\(url.debugDescription) \(problem)",
                  fix: "write the base URL of a files repository, like http://files.example.internal:8080/download, or remove binaries.mirror")
            mirror = nil
        }
        return Cluster.Binaries(dir: spec.binaries?.dir, mirror: mirror.map(Cluster.Binaries.normalizedMirror))
    }

    func resolveAddons() -> Cluster.Addons { Cluster.Addons(dns: spec.addons?.dns ?? true) }

    /// `us-east-2`, `ap-southeast-1`, `us-gov-west-1`: words, then a number.
    static func isRegionName(_ region: String) -> Bool {
        let parts = region.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count >= 3 && parts.last!.allSatisfy(\.isNumber) && !parts.last!.isEmpty
            && parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLowercase && $0.isLetter } }
    }

    mutating func resolveInfra(network: Cluster.Network?) -> Cluster.Infra? {
        guard let section = spec.infra else { return nil }
        var valid = true
        switch section.provider {
        case nil:
            error("missing-field", "infra.provider", "missing", fix: "write `provider: aws`")
            valid = false
        case let provider? where provider != "aws":
            error("invalid-value", "infra.provider", "unknown provider \"\(provider)\"", fix: "hardway provisions on aws only")
            valid = false
        default: break
        }
        let region = section.region ?? ""
        if region.isEmpty {
            warning("region-from-environment", "infra.region", "not set: `hardway infra` takes the region from AWS_REGION (or AWS_DEFAULT_REGION)",
                    fix: "set infra.region, like us-east-2, so the file says where the cluster lives")
        } else if !Self.isRegionName(region) {
            error("invalid-value", "infra.region", "\"\(region)\" is not an AWS region name", fix: "write it like us-east-2")
            valid = false
        }
        if spec.network?.nodeCIDR == nil {
            error("missing-field", "network.nodeCIDR", "infra needs the node network: it becomes the VPC subnet",
                  fix: "set network.nodeCIDR, like 172.31.0.0/24, with every host address inside it")
            valid = false
        }
        guard valid else { return nil }
        return Cluster.Infra(provider: "aws", region: region.isEmpty ? nil : region, instanceType: section.instanceType ?? ClusterResolver.defaultInstanceType,
                             imageOwner: section.image?.owner ?? ClusterResolver.defaultImageOwner,
                             imageName: section.image?.name ?? ClusterResolver.defaultImageName)
    }
}
