// swift-tools-version:6.0
import PackageDescription

// Pure modules (ClusterModel, PKI, Render) never import I/O-heavy modules; the CLI is the only place that prints.
let package = Package(
    name: "hardway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hardway", targets: ["hardway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(name: "hardway", dependencies: ["HardwayCLI"]),
        .target(
            name: "ClusterModel",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(name: "CSystemShims"),
        // The error every module's own codes name (CodedError<Code>): message, fix, stable code.
        .target(name: "Errors"),
        .target(
            name: "PKI",
            dependencies: [
                "ClusterModel",
                "CSystemShims",
                "Errors",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "Render",
            dependencies: ["ClusterModel", "PKI", "Shell", "Errors", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Running programs on the box (capturing output, sessions that outlive hardway, threads for
        // waiting, work spread over the cores, polling with a deadline, file digests).
        .target(name: "Shell", dependencies: ["CSystemShims", "Errors", .product(name: "Crypto", package: "swift-crypto")]),
        // Hosts reached over the system's OpenSSH client; files shipped as one tar stream.
        .target(name: "Remote", dependencies: ["Shell", "Errors"]),
        // The apply workflow: phases, their gates, and the live checks.
        .target(
            name: "Phases",
            dependencies: ["ClusterModel", "PKI", "Render", "Remote", "Shell", "Binaries", "Errors", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // What apply ships, gathered on the workstation: Debian's packages, Kubernetes built from
        // Debian's source, release downloads, OCI image archives.
        .target(
            name: "Binaries",
            dependencies: ["Shell", "Errors", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Machines on one box (I/O: ip, mount, systemd-nspawn, ssh); never imported by the pure modules.
        .target(
            name: "Lab",
            dependencies: ["ClusterModel", "PKI", "Shell", "Remote", "Errors", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // AWS Query APIs (EC2, ELBv2, IAM): SigV4 signing, credentials, XML; HTTP through AsyncHTTPClient.
        .target(
            name: "AWS",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The cluster's AWS side (`hardway infra`): what it needs, what exists, and the calls between.
        .target(name: "Infra", dependencies: ["ClusterModel", "AWS", "PKI", "Shell", "Remote", "Errors", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "HardwayCLI",
            dependencies: [
                "ClusterModel",
                "PKI",
                "Render",
                "Lab",
                "Binaries",
                "Shell",
                "Remote",
                "Phases",
                "AWS",
                "Infra",
                "Errors",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Fixtures, the bad-input corpus and scripted hosts, shared by the unit tests and the binary's tests.
        .target(name: "TestSupport", dependencies: ["ClusterModel", "Remote", "Shell"], path: "Tests/TestSupport"),
        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel", "TestSupport"]),
        .testTarget(name: "PKITests", dependencies: ["PKI", "ClusterModel", "TestSupport"]),
        // Golden files live in Tests/RenderTests/Golden and are read by path (HARDWAY_UPDATE_GOLDEN=1 rewrites them).
        .testTarget(name: "RenderTests", dependencies: ["Render", "PKI", "ClusterModel", "TestSupport", .product(name: "Yams", package: "Yams")],
                    exclude: ["Golden"]),
        .testTarget(name: "RemoteTests", dependencies: ["Remote", "Shell"]),
        .testTarget(name: "ShellTests", dependencies: ["Shell"]),
        .testTarget(name: "PhasesTests", dependencies: ["Phases", "ClusterModel", "PKI", "Render", "Remote", "Shell", "Binaries", "TestSupport"]),
        .testTarget(name: "BinariesTests", dependencies: ["Binaries", "Shell"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "ClusterModel", "Shell", "TestSupport"]),
        // SigV4 vectors from AWS's published test suite live in Tests/AWSTests/SigV4Suite.
        .testTarget(name: "AWSTests", dependencies: ["AWS", "TestSupport"], exclude: ["SigV4Suite"]),
        // The cloud-init consoles the host key parser reads live in Tests/InfraTests/Fixtures and are read by path.
        .testTarget(name: "InfraTests", dependencies: ["Infra", "AWS", "ClusterModel", "Remote", "Shell", "TestSupport"], exclude: ["Fixtures"]),
        // HardwayCLI and ArgumentParser too: the help and argument tests parse and render commands in process.
        .testTarget(name: "CLITests", dependencies: ["hardway", "HardwayCLI", "ClusterModel", "Render", "Binaries", "Lab", "AWS", "Infra", "Shell", "TestSupport",
                                                     .product(name: "Yams", package: "Yams"),
                                                     .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    ]
)
