import Foundation
import Remote

/// What apply does about one instance's host keys, from the state and known_hosts alone (pure: the
/// provisioner reads both and writes what this returns).
enum HostKeyStep: Equatable {
    /// Pinned from this instance's console and in known_hosts under its name.
    case keep(PinnedHostKeys)
    /// Pinned from this instance, but known_hosts lacks them under its name (a new public address
    /// after a stop and start, or lines removed): written again from the state, since cloud-init
    /// prints them on the first boot only.
    case rewrite(PinnedHostKeys)
    /// Never pinned for this instance, and known_hosts already holds other keys for its name: someone
    /// put them there (the fix for an image that prints none); left alone.
    case byHand
    /// Read from the console, waiting for it, then written.
    case read

    static func decide(instance: String, name: String, recorded: PinnedHostKeys?, knownHosts: String) -> HostKeyStep {
        let present = KnownHosts.keys(for: name, in: knownHosts)
        if let recorded, recorded.instance == instance {
            if recorded.name == name, Set(recorded.keys).isSubset(of: present) { return .keep(recorded) }
            return .rewrite(PinnedHostKeys(instance: instance, name: name, keys: recorded.keys))
        }
        // Keys pinned for an instance the host had before are stale, not someone's.
        if !present.isEmpty, present.isDisjoint(with: recorded?.keys ?? []) { return .byHand }
        return .read
    }

    /// known_hosts with the keys under their name, replacing every line for that address (and for
    /// the address they had before), each line saying which host and instance it is.
    static func knownHosts(_ existing: String, writing pinned: PinnedHostKeys, host: String, replacing old: PinnedHostKeys?) -> String {
        let addresses = Set([pinned.name, old?.name].compactMap { $0 }.map { KnownHosts.host(of: Substring($0)) })
        let lines = pinned.keys.map { KnownHosts.line(names: [pinned.name], key: $0, comment: "\(host) \(pinned.instance)") }
        return KnownHosts.merged(existing, removing: addresses, adding: lines)
    }
}
