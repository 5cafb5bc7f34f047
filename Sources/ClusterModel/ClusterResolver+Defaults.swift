/// What a cluster file gets for the fields it leaves out, and the versions hardway reads.
extension ClusterResolver {
    public static let supportedAPIVersion = "hardway/v1"
    public static let defaultKubernetesVersion = "v1.31.4"
    /// etcd for a file that names none and whose Kubernetes release hardway has no pairing for (each
    /// release's own default is its `ReleasePairing.etcd`).
    public static let defaultEtcdVersion = "v3.5.17"
    /// The Kubernetes minors hardway renders files for (Render's KubernetesRelease.supported; a test keeps them equal).
    public static var supportedKubernetesMinors: [String] { ReleasePairing.table.map(\.minor) }
    public static let defaultPodCIDR = "10.200.0.0/16"
    public static let defaultServiceCIDR = "10.32.0.0/24"
    public static let defaultClusterDomain = "cluster.local"
    public static let defaultAPIPort = 6443
    /// The port every kube-apiserver listens on; the load balancer forwards `api.port` to it.
    public static let apiServerSecurePort = 6443
    public static let defaultValidity = ValidityDuration(hours: 8760)
    public static let defaultCAValidity = ValidityDuration(hours: 87600)

    // Defaults only the resolver reads: the Cluster it returns carries them.
    static let defaultKeyAlgorithm = KeyAlgorithm.rsa2048
    static let defaultEncryptionProvider = EncryptionProvider.aescbc
    static let defaultSSHUser = "root"
    static let defaultSSHPort = 22
    static let defaultInstanceType = "t3.small"
    /// Canonical's AWS account, and its Ubuntu 22.04 images (the newest matching one is taken).
    static let defaultImageOwner = "099720109477"
    static let defaultImageName = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
}
