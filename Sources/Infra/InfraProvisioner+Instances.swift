import AWS
import Crypto
import Foundation

/// One instance per host, at its fixed private address with a public one; instances of hosts no
/// longer in the cluster file are terminated.
extension InfraProvisioner {
    /// Host name → the instance (nil in a dry run when it is still to be made).
    func ensureInstances(subnet: String?, group: String?) async throws -> [String: XMLNode?] {
        var result: [String: XMLNode?] = [:]
        var newestImage: String?
        let placement = subnet.flatMap { subnet in group.map { (subnet: subnet, group: $0) } }
        let live = try await liveInstances()
        for instance in design.instances {
            if let found = try await keepInstance(instance, live: live) {
                result[instance.host] = found
                continue
            }
            let image: String
            if let newestImage { image = newestImage } else { image = try await findImage(); newestImage = image }
            let planned = InfraChange(.create, "instance", instance.host, detail: "\(design.instanceType), \(instance.privateAddress), public address, "
                                      + "user data \"\(instance.userData)\", image \(image), source/destination check off")
            let launched = try await act(planned, with: placement) { try await launch(instance, image: image, subnet: $0.subnet, group: $0.group) }
            result[instance.host] = .some(launched)
        }
        return result
    }

    /// The host's instance that runs already (by the ID in the state, else by its host tag), checked
    /// and kept; nil when there is none.
    func keepInstance(_ instance: InfraDesign.InstanceDesign, live: [XMLNode]) async throws -> XMLNode? {
        let key = "instance/\(instance.host)"
        var found: XMLNode?
        if let id = state.resources[key] {
            found = live.first { $0.string("instanceId") == id }
        }
        if found == nil {
            found = live.first { $0.tags[InfraDesign.hostTag] == instance.host }
        }
        guard let found, let id = found.string("instanceId") else { return nil }
        let address = found.string("privateIpAddress")
        guard address == instance.privateAddress else {
            throw InfraError(.addressMismatch, "instance \(id) of \(instance.host) has the address \(address ?? "none"), the cluster file says \(instance.privateAddress)",
                             fix: "set \(instance.host)'s address back to \(address ?? "its address"), or terminate the instance and run `hardway infra apply` again")
        }
        try await adopt(key: key, id)
        note(.init(.keep, "instance", instance.host, id: id, detail: "\(instance.privateAddress), \(found.string("instanceType") ?? design.instanceType)"))
        if found.string("sourceDestCheck") != "false" {
            try await change("instance", instance.host, id: id, detail: "source/destination check off") {
                try await self.ec2("ModifyInstanceAttribute", [("InstanceId", id), ("SourceDestCheck.Value", "false")])
            }
        }
        return found
    }

    /// Launches the host's instance and records its ID at once; source/destination check off, so it
    /// may carry its pods' traffic.
    func launch(_ instance: InfraDesign.InstanceDesign, image: String, subnet: String, group: String) async throws -> XMLNode {
        var parameters: [(String, String)] = [
            ("ImageId", image), ("InstanceType", design.instanceType), ("MinCount", "1"), ("MaxCount", "1"),
            ("KeyName", design.keyPairName), ("UserData", Data(instance.userData.utf8).base64EncodedString()),
            ("NetworkInterface.1.DeviceIndex", "0"), ("NetworkInterface.1.SubnetId", subnet),
            ("NetworkInterface.1.PrivateIpAddress", instance.privateAddress),
            ("NetworkInterface.1.AssociatePublicIpAddress", "true"), ("NetworkInterface.1.SecurityGroupId.1", group),
            // The same token makes a retried launch return the first one instead of a second instance.
            ("ClientToken", clientToken(for: instance.host, subnet: subnet)),
        ]
        parameters += tagSpecification("instance", role: "instance", name: instance.nameTag, host: instance.host)
        let answer = try await ec2("RunInstances", parameters)
        let launched = try requiredNode(answer.list("instancesSet").first, "RunInstances")
        let id = try required(launched.child("instanceId"), "RunInstances")
        try record("instance/\(instance.host)", id)
        try await ec2("ModifyInstanceAttribute", [("InstanceId", id), ("SourceDestCheck.Value", "false")])
        note(.init(.create, "instance", instance.host, id: id,
                   detail: "\(design.instanceType), \(instance.privateAddress), user data \"\(instance.userData)\", source/destination check off"))
        return launched
    }

    /// The idempotency token of a host's launch: the same while a launch of it may have happened
    /// unrecorded (an apply killed mid-call), new once an instance of it was recorded and is gone
    /// (EC2 would otherwise hand back that terminated instance).
    func clientToken(for host: String, subnet: String) -> String {
        let previous = state.resources["instance/\(host)"] ?? ""
        let digest = SHA256.hash(data: Array("\(design.cluster)|\(host)|\(subnet)|\(previous)".utf8))
        return "hardway-" + digest.prefix(20).map { String(format: "%02x", $0) }.joined()
    }

    /// The newest image (by creation date, then name) of the owner whose name matches the pattern.
    func findImage() async throws -> String {
        let answer = try await ec2("DescribeImages", [("Owner.1", design.imageOwner)]
                                   + Self.filters([("name", [design.imageName]), ("state", ["available"])]))
        let images = answer.list("imagesSet").compactMap { item -> (id: String, name: String, created: String)? in
            guard let id = item.string("imageId") else { return nil }
            return (id, item.string("name") ?? "", item.string("creationDate") ?? "")
        }
        guard let newest = images.max(by: { ($0.created, $0.name) < ($1.created, $1.name) }) else {
            throw InfraError(.noImage, "no image of owner \(design.imageOwner) matches \"\(design.imageName)\" in \(design.region)",
                             fix: "check infra.image.owner and infra.image.name (a pattern with *), or the region")
        }
        return newest.id
    }

    /// Instances tagged with the cluster whose host is no longer in the cluster file.
    func removeStaleInstances() async throws {
        let wanted = Set(design.instances.map(\.host))
        for instance in try await liveInstances() {
            // Only instances hardway launched for a host: never one merely carrying the cluster's tag.
            guard let id = instance.string("instanceId"), let host = instance.tags[InfraDesign.hostTag], !wanted.contains(host) else { continue }
            try await change("instance", host, id: id, action: .delete, detail: "no longer in the cluster file") {
                try await self.ec2("TerminateInstances", [("InstanceId.1", id)])
                self.state.publicAddresses[host] = nil
                try self.forgetHostKeys(of: host)
                try self.record("instance/\(host)", nil)
            }
        }
    }

    /// Polls until every instance runs; records their public addresses.
    func waitForInstances(_ instances: [String: XMLNode?]) async throws -> [String: XMLNode?] {
        let ids = instances.compactMap { $0.value?.string("instanceId") }
        guard !ids.isEmpty else { return instances }
        let started = Date()
        let deadline = started.addingTimeInterval(instanceTimeout)
        var result = instances
        defer { progress(nil) }
        while true {
            var parameters: [(String, String)] = []
            for (index, id) in ids.enumerated() { parameters.append(("InstanceId.\(index + 1)", id)) }
            let answer = try await ec2("DescribeInstances", parameters)
            let items = answer.all("instancesSet").flatMap { $0.children.filter { $0.name == "item" } }
            let pending = items.filter { $0.path("instanceState", "name")?.value != "running" }
            if pending.isEmpty {
                for item in items {
                    guard let host = item.tags[InfraDesign.hostTag] ?? instances.first(where: { $0.value?.string("instanceId") == item.string("instanceId") })?.key else { continue }
                    result[host] = item
                    state.publicAddresses[host] = item.string("ipAddress")
                }
                try state.save(directory: directory)
                return result
            }
            if let failed = pending.first(where: { ["terminated", "shutting-down", "stopped"].contains($0.path("instanceState", "name")?.value ?? "") }) {
                throw InfraError(.instanceStopped,
                                 "instance \(failed.string("instanceId") ?? "?") is \(failed.path("instanceState", "name")?.value ?? "?") instead of running: \(failed.path("stateReason", "message")?.value ?? "no reason given")",
                                 fix: "see the instance in the EC2 console, then run `hardway infra apply` again")
            }
            progress("waiting for \(pending.count) instance\(pending.count == 1 ? "" : "s") to run (\(Int(Date().timeIntervalSince(started))) s)")
            guard Date() < deadline else {
                throw InfraError(.instanceTimeout, "\(pending.count) instance\(pending.count == 1 ? " is" : "s are") not running after \(Int(instanceTimeout)) s",
                                 fix: "see them in the EC2 console, then run `hardway infra apply` again (it resumes)")
            }
            try await Task.sleep(nanoseconds: 2_000_000_000)
        }
    }
}
