import Errors
import Shell

/// The Lab module's error: a stable code, a specific lowercase message, and the next step. What the
/// lab finds wrong itself; a program it runs that fails is Shell's `ShellError`.
public typealias LabError = CodedError<LabErrorCode>

/// What can go wrong in Lab, by stable name.
public enum LabErrorCode: String, ErrorCode {
    /// The cluster has no network.nodeCIDR (the bridge's subnet), one too large or small for a
    /// bridge, hosts outside it, or no address left in it for the box's gateway.
    case missingNodeCIDR = "missing-node-cidr", unusableNodeCIDR = "unusable-node-cidr"
    case hostOutsideNodeCIDR = "host-outside-node-cidr", noGatewayAddress = "no-gateway-address"
    /// The lab's state file cannot be read, or is another cluster's lab.
    case unreadableState = "unreadable-state", foreignState = "foreign-state"
    /// The box already has what this lab would make (a bridge, addresses, routes, namespaces).
    case collision = "collision"
    /// The public half of the lab key cannot be read; every veth name of the bridge is taken.
    case unreadableKey = "unreadable-key", noFreeInterface = "no-free-interface"
    /// A program the lab needs is not installed, and apt-get could not install it.
    case missingProgram = "missing-program", installFailed = "install-failed"
    /// The root image's cache cannot be written; debootstrap failed or its root could not be put
    /// in place; the cached root is still used by another lab's machines.
    case unwritableCache = "unwritable-cache", imageBuildFailed = "image-build-failed", rootInUse = "root-in-use"
    /// Machines stopped, or did not answer on ssh in time.
    case machinesDown = "machines-down"
    /// Taking machines apart left mounts or namespaces behind; `lab down` finished with pieces of
    /// the lab still on the box.
    case incompleteRemoval = "incomplete-removal", leftovers = "leftovers"
    /// On cgroup v2, a level above a machine's group would not hand the cpu, memory or pids
    /// controller down to it.
    case cgroupDelegation = "cgroup-delegation"
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
