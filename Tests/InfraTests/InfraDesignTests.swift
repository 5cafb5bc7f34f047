import ClusterModel
import Foundation
import Testing
import TestSupport
import AWS
@testable import Infra

@Suite struct InfraDesignTests {
    func cluster(_ text: String) throws -> Cluster {
        let resolution = ClusterResolver.resolve(text: text)
        return try #require(resolution.cluster, "\(resolution.diagnostics)")
    }

    var awsExample: String {
        get throws { try String(contentsOf: Fixture.repository.appendingPathComponent("examples/aws.yaml"), encoding: .utf8) }
    }

    @Test func theTutorialsNetworkFromTheAWSExample() throws {
        let design = try InfraDesign.make(for: try cluster(try awsExample))
        #expect(design.vpcCIDR.description == "172.31.0.0/16")
        #expect(design.subnetCIDR.description == "172.31.0.0/24")
        #expect(design.region == "us-east-2")
        #expect(design.dhcpDomainName == "us-east-2.compute.internal")
        #expect(design.instances.map(\.host) == ["master-0", "master-1", "master-2", "worker-0", "worker-1", "worker-2"])
        #expect(design.instances[0].userData == "name=master-0")
        #expect(design.instances[4].userData == "name=worker-1|pod-cidr=172.20.1.0/24")
        #expect(design.instances[4].nameTag == "ground-up-worker-1")
        let balancer = try #require(design.loadBalancer)
        #expect(balancer.targets == ["172.31.0.10", "172.31.0.11", "172.31.0.12"])
        #expect(balancer.listenerPort == 6443 && balancer.targetPort == 6443)
        let rules = design.rules.map(\.summary)
        for rule in ["tcp 2379-2380 from 172.31.0.0/24", "tcp 30000-32767 from 172.31.0.0/24", "tcp 6443 from 0.0.0.0/0", "tcp 22 from 0.0.0.0/0", "icmp from 0.0.0.0/0"] {
            #expect(rules.contains(rule), "\(rule)")
        }
        // What the tutorial's rules forget: the API server reaching kubelets, and pods reaching pods.
        #expect(rules.contains("tcp 10250 from 172.31.0.0/24"))
        #expect(rules.contains("all traffic from 172.20.0.0/16"))
    }

    @Test func usEast1UsesItsOwnDomainAndTheEnvironmentRegionFillsAGap() throws {
        let east = try InfraDesign.make(for: try cluster(try awsExample.replacingOccurrences(of: "region: us-east-2", with: "region: us-east-1")))
        #expect(east.dhcpDomainName == "ec2.internal")
        let noRegion = try cluster(try awsExample.replacingOccurrences(of: "  region: us-east-2\n", with: ""))
        #expect(try InfraDesign.make(for: noRegion, environmentRegion: "eu-west-1").region == "eu-west-1")
        #expect(throws: InfraDesign.Problem.self) { try InfraDesign.make(for: noRegion) }
        // The file wins over the environment.
        #expect(try InfraDesign.make(for: try cluster(try awsExample), environmentRegion: "eu-west-1").region == "us-east-2")
    }

    @Test func addressesAWSKeepsForItselfAreRefusedWithTheHost() throws {
        let text = try awsExample.replacingOccurrences(of: "address: 172.31.0.20,", with: "address: 172.31.0.2,")
        do {
            _ = try InfraDesign.make(for: try cluster(text))
            Issue.record("172.31.0.2 is the subnet's DNS resolver address on AWS")
        } catch let problem as InfraDesign.Problem {
            #expect(problem.field == "hosts[worker-0].address")
            #expect(problem.fix.contains("172.31.0.4"))
        }
    }

    @Test func noLoadBalancerWhenAHostRunsIt() throws {
        let text = try awsExample
            .replacingOccurrences(of: "kind: external ", with: "kind: haproxy\n  host: lb-0 ")
            .replacingOccurrences(of: "endpoint: auto ", with: "endpoint: 172.31.0.5 ")
            .replacingOccurrences(of: "  - { name: worker-2,", with: "  - { name: lb-0, address: 172.31.0.5, roles: [loadbalancer] }\n  - { name: worker-2,")
        let design = try InfraDesign.make(for: try cluster(text))
        #expect(design.loadBalancer == nil)
        #expect(design.instances.contains { $0.host == "lb-0" })
    }

    @Test func loadBalancerNamesFitAWSLimits() {
        #expect(InfraDesign.elbName("ground-up") == "ground-up")
        let long = InfraDesign.elbName(String(repeating: "very-long-cluster-name-", count: 3))
        #expect(long.count <= 32)
        #expect(long != InfraDesign.elbName(String(repeating: "very-long-cluster-name-", count: 2) + "x"))
        #expect(InfraDesign.elbName("a_b") == "a-b")
    }
}

@Suite struct LaunchTokenTests {
    @Test func theTokenStaysForAResumedLaunchAndChangesAfterATerminatedOne() throws {
        let text = try String(contentsOf: Fixture.repository.appendingPathComponent("examples/aws.yaml"), encoding: .utf8)
        let design = try InfraDesign.make(for: try #require(ClusterResolver.resolve(text: text).cluster))
        let client = AWSQueryClient(credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "b"), endpoints: AWSEndpoints(region: "us-east-2"))
        let directory = NSTemporaryDirectory() + "hardway-token-" + UUID().uuidString
        func provisioner(_ state: InfraState?) -> InfraProvisioner {
            InfraProvisioner(design: design, client: client, directory: directory, state: state, identityFile: "/nonexistent", dryRun: true)
        }
        let first = provisioner(nil).clientToken(for: "worker-0", subnet: "subnet-1")
        #expect(first == provisioner(nil).clientToken(for: "worker-0", subnet: "subnet-1"))
        #expect(first.count <= 64)
        #expect(first != provisioner(nil).clientToken(for: "worker-1", subnet: "subnet-1"))
        #expect(first != provisioner(nil).clientToken(for: "worker-0", subnet: "subnet-2"))
        var state = InfraState(cluster: "ground-up", region: "us-east-2")
        state.resources["instance/worker-0"] = "i-terminated"
        #expect(first != provisioner(state).clientToken(for: "worker-0", subnet: "subnet-1"))
    }
}
