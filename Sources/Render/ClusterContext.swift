import ClusterModel

/// What every renderer reads: the input, plus the release data for the pinned Kubernetes version.
struct ClusterContext {
    let cluster: Cluster
    let pki: PKIMaterial
    let encryption: EncryptionKeyRing
    let release: KubernetesRelease
    /// Every worker's pod route, formatted once for all the nodes that carry it.
    let podRoutes: PodRoutesUnit

    init(input: RenderInput, release: KubernetesRelease) {
        self.cluster = input.cluster
        self.pki = input.pki
        self.encryption = input.encryption
        self.release = release
        self.podRoutes = PodRoutesUnit(PodRoutesRenderer.routes(input.cluster))
    }
}

/// A node's files while they are gathered: two roles may bring the same file (a controller that is
/// also a worker needs the CA once), never two different files at one path.
struct FileSet {
    private(set) var files: [RenderedFile] = []
    private var index: [String: Int] = [:]

    mutating func add(_ file: RenderedFile) throws {
        if let existing = index[file.path] {
            guard files[existing].contents == file.contents, files[existing].mode == file.mode else {
                throw RenderError(.conflictingFiles, "two different files would be written to \(file.path)", fix: "report this as a hardway bug, with the cluster file")
            }
            files[existing].units = Array(Set(files[existing].units + file.units)).sorted()
            return
        }
        index[file.path] = files.count
        files.append(file)
    }

    mutating func add(_ path: String, mode: UInt16 = 0o644, _ contents: String, units: [String] = []) throws {
        try add(RenderedFile(path: path, mode: mode, contents: contents, units: units))
    }

    /// A certificate and its key from the PKI, at `directory/file.pem` and `directory/file-key.pem`.
    mutating func addPair(_ name: String, from pki: PKIMaterial, directory: String, file: String? = nil, units: [String]) throws {
        let base = "\(directory)/\(file ?? name)"
        try add("\(base).pem", try pki.certificate(name), units: units)
        try add("\(base)-key.pem", mode: 0o600, try pki.key(name), units: units)
    }
}
