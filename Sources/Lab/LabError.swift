import Errors
import Shell

/// The Lab module's error: a stable code, a specific lowercase message, and the next step. What the
/// lab finds wrong itself; a program it runs that fails is Shell's `ShellError`.
public typealias LabError = CodedError<LabErrorCode>

/// What can go wrong in Lab, by stable name.
public enum LabErrorCode: String, ErrorCode {
    /// The cluster has no network.nodeCIDR, the bridge's subnet.
    case missingNodeCIDR = "missing-node-cidr"
    /// network.nodeCIDR is too large or too small for a bridge.
    case unusableNodeCIDR = "unusable-node-cidr"
    /// Hosts whose addresses lie outside network.nodeCIDR.
    case hostOutsideNodeCIDR = "host-outside-node-cidr"
    /// Every address of network.nodeCIDR is taken: none is left for the box's gateway.
    case noGatewayAddress = "no-gateway-address"
    /// The lab's state file cannot be read.
    case unreadableState = "unreadable-state"
    /// The state file in the directory is another cluster's lab.
    case foreignState = "foreign-state"
    /// The box already has what this lab would make (a bridge, addresses, routes, namespaces).
    case collision = "collision"
    /// The public half of the lab key cannot be read.
    case unreadableKey = "unreadable-key"
    /// Every veth name of the bridge is taken.
    case noFreeInterface = "no-free-interface"
    /// A program the lab needs is not installed.
    case missingProgram = "missing-program"
    /// apt-get could not install the lab's prerequisites.
    case installFailed = "install-failed"
    /// The root image cache directory cannot be written.
    case unwritableCache = "unwritable-cache"
    /// debootstrap failed, or its root could not be put in place.
    case imageBuildFailed = "image-build-failed"
    /// Machines stopped, or did not answer on ssh in time.
    case machinesDown = "machines-down"
    /// The cached root is still used by another lab's machines.
    case rootInUse = "root-in-use"
    /// Taking machines apart left mounts or namespaces behind.
    case incompleteRemoval = "incomplete-removal"
    /// `lab down` finished with pieces of the lab still on the box.
    case leftovers = "leftovers"
}

extension CodedError where Code == LabErrorCode {
    /// Runs one of the lab's entry points for a caller that knows `ShellError` alone (the CLI reports
    /// that type, as `error: message; fix`): a LabError leaves as a ShellError with the same words.
    static func surfacing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LabError {
            throw ShellError(error)
        }
    }
}

extension ShellError {
    /// The lab's error in the shape the CLI reports.
    init(_ error: LabError) {
        self.init(error.message, fix: error.fix)
    }
}
