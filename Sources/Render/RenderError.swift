import Errors
/// Why a render cannot be made: a stable code, a specific lowercase message, and the next step for
/// the user (`fix`, where `<cluster file>` stands for the file the CLI was given).
public typealias RenderError = CodedError<RenderErrorCode>

/// What can go wrong in Render, by stable name.
public enum RenderErrorCode: String, ErrorCode {
    /// The cluster's kubernetesVersion is not a release hardway has flags for.
    case unsupportedVersion = "unsupported-version"
    /// `api.endpoint: auto` before `hardway infra apply` has named the load balancer.
    case endpointUnknown = "endpoint-unknown"
    /// The PKI lacks a certificate or key the render embeds.
    case missingCertificate = "missing-certificate", missingKey = "missing-key"
    /// The encryption key ring cannot read or write secrets.
    case unusableKeyRing = "unusable-key-ring"
    /// A rotation step asked for out of turn (a rotation is under way, or none is).
    case rotationInProgress = "rotation-in-progress", noPendingKey = "no-pending-key", noRotationToFinish = "no-rotation-to-finish"
    /// A render that contradicts itself: a hardway bug, not the user's input.
    case conflictingFiles = "conflicting-files", missingPodCIDR = "missing-pod-cidr", missingAdminKubeconfig = "missing-admin-kubeconfig"
}
