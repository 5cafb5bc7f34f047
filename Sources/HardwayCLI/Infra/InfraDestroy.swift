import ArgumentParser
import Infra

/// `hardway infra destroy`: everything the cluster has on AWS, deleted in reverse order.
struct InfraDestroy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "delete everything the cluster has on AWS, in reverse order; waits for instances to terminate",
        usage: UsageLine.wrapped("hardway infra destroy", "[--file <file>] [--dir <dir>] [--endpoint-url <url>] [--output <format>]"),
        discussion: """
        Finds resources by <dir>/infra-state.json and by the hardway:cluster tag, so it works without the \
        state file too. What is already gone is skipped; run it again if it stops half-way. The private key \
        infra apply saved for the key pair is removed with the pair; a key you brought is left alone.

        Examples:
          hardway infra destroy -f aws.yaml
          hardway infra destroy -f aws.yaml --output json
        """
    )

    @OptionGroup var options: InfraOptions

    func run() async throws {
        let context = try options.context()
        let destroyer = InfraDestroyer(design: context.design, client: context.client, directory: context.directory.path, state: context.state,
                                       report: options.reporter)
        destroyer.progress = InfraOptions.progress
        let changes = try await infraing { try await destroyer.run() }
        if options.output.format == .json { return try options.printJSON(context, changes: changes, state: nil) }
        Terminal.out()
        let deleted = changes.filter { $0.action == .delete }.count
        let tagsLeft = changes.contains { $0.kind == "instance tags" }
        Terminal.out(changes.isEmpty ? "nothing to delete: no resource is tagged hardway:cluster=\(context.cluster.name) in \(context.design.region)"
                     : tagsLeft ? "deleted \(deleted) resources; only the terminated instances still carry the cluster's tag, until AWS drops them"
                                : "deleted \(deleted) resources; nothing tagged hardway:cluster=\(context.cluster.name) is left")
    }
}
