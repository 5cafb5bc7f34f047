import ArgumentParser
import AWS
import Infra

/// `hardway infra`: the cluster's AWS side, from the cluster file's `infra:` section.
struct InfraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infra",
        abstract: "create, show or delete the cluster's machines and network on AWS (EC2 and an NLB)",
        discussion: """
        What tutorial 001 does with a hundred aws CLI commands: a VPC with DNS on, DHCP options, a subnet \
        (network.nodeCIDR), an internet gateway and route table, a security group, a key pair, a network load \
        balancer for the API, an instance per host at its address, and a route per worker for its pod CIDR; \
        then each instance's ssh host keys, read from its console, in <dir>/ssh/known_hosts. \
        Every resource is tagged hardway:cluster=<name>; every ID goes to <dir>/infra-state.json the moment it \
        exists, so an interrupted apply resumes without duplicates.

        Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or a profile of \
        ~/.aws/credentials (AWS_PROFILE). Region: infra.region, else AWS_REGION.

        Examples:
          hardway infra plan -f aws.yaml
          hardway infra apply -f aws.yaml
          hardway infra destroy -f aws.yaml
          hardway infra apply -f aws.yaml --endpoint-url http://127.0.0.1:5000
        """,
        subcommands: [InfraPlan.self, InfraApply.self, InfraDestroy.self]
    )
}

/// Runs infra work, turning its errors into the CLI's.
func infraing<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw cliError(error) }
}

func infraing<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw cliError(error) }
}

private func cliError(_ error: any Error) -> any Error {
    switch error {
    case let error as AWSError: return CLIError(error.description, fix: error.fix)
    case let error as InfraError: return CLIError(error.message, fix: error.fix)
    default: return error
    }
}
