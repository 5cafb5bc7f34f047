/// Why a render cannot be made: a stable code, a specific lowercase message, and the next step for
/// the user (`fix`, where `<cluster file>` stands for the file the CLI was given).
public struct RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// The cluster's kubernetesVersion is not a release hardway has flags for.
        case unsupportedVersion = "unsupported-version"
        /// `api.endpoint: auto` before `hardway infra apply` has named the load balancer.
        case endpointUnknown = "endpoint-unknown"
        case missingCertificate = "missing-certificate"
        case missingKey = "missing-key"
        /// The encryption key ring cannot read or write secrets.
        case unusableKeyRing = "unusable-key-ring"
        /// A rotation step asked for out of turn (a rotation is under way, or none is).
        case rotationInProgress = "rotation-in-progress"
        case noPendingKey = "no-pending-key"
        case noRotationToFinish = "no-rotation-to-finish"
        // A render that contradicts itself: a hardway bug, not the user's input.
        case conflictingFiles = "conflicting-files"
        case missingPodCIDR = "missing-pod-cidr"
        case missingAdminKubeconfig = "missing-admin-kubeconfig"
    }

    public var code: Code
    public var message: String
    public var fix: String

    public init(_ code: Code, _ message: String, fix: String) {
        self.code = code
        self.message = message
        self.fix = fix
    }

    public var description: String { "\(message); \(fix)" }
}
