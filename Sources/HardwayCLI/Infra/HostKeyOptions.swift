import ArgumentParser
import Foundation
import Infra

/// Plan and apply: whether the instances' ssh host keys are read from their consoles.
struct HostKeyOptions: ParsableArguments {
    @Flag(help: ArgumentHelp("leave <dir>/ssh/known_hosts alone: for images that print no host keys (no cloud-init) or keys you manage yourself (an @cert-authority line)"))
    var skipHostKeys = false

    func pinning(_ context: InfraOptions.Context, timeout: Int) -> HostKeyPinning? {
        skipHostKeys ? nil : HostKeyPinning(spec: context.spec, timeout: TimeInterval(timeout))
    }
}
