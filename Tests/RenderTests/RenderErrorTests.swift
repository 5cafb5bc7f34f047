import Testing
import ClusterModel
import Render

/// Every refusal of a render has its stable code, whatever its message says.
@Suite struct RenderErrorTests {
    static func code(_ body: () throws -> Any) -> RenderErrorCode? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? RenderError)?.code
        }
    }

    @Test func anUnknownKubernetesVersionIsRefusedWithItsCodeNamingTheSupportedReleases() throws {
        var input = try RenderFixture.input("lab")
        input.cluster.kubernetesVersion = "v1.27.3"
        #expect { try ClusterRenderer.render(input) } throws: { error in
            guard let error = error as? RenderError else { return false }
            return error.code == .unsupportedVersion && error.code.rawValue == "unsupported-version"
                && error.message.contains("v1.27.3") && (error.fix ?? "").contains("v1.20, v1.30, v1.31, v1.32")
        }
    }

    @Test func missingPKIFilesAreNamedByKind() {
        #expect(Self.code { try PKIMaterial().certificate("ca") } == .missingCertificate)
        #expect(Self.code { try PKIMaterial().key("ca") } == .missingKey)
    }

    @Test func rotationStepsOutOfTurnHaveTheirCodes() throws {
        let steady = EncryptionKeyRing.initial(provider: .aescbc, secret: EncryptionKeyRingTests.secret(1))
        let added = try steady.addingKey(provider: .aescbc, secret: EncryptionKeyRingTests.secret(2))
        #expect(Self.code { try steady.promotingNewKey() } == .noPendingKey)
        #expect(Self.code { try steady.finishing() } == .noRotationToFinish)
        #expect(Self.code { try added.addingKey(provider: .aescbc, secret: EncryptionKeyRingTests.secret(3)) } == .rotationInProgress)
        #expect(Self.code { try added.promotingNewKey().addingKey(provider: .aescbc, secret: EncryptionKeyRingTests.secret(3)) } == .rotationInProgress)
    }

    @Test func anUnusableKeyRingHasItsCode() throws {
        let input = try RenderFixture.input("lab")
        #expect(Self.code { try ClusterRenderer.render(RenderInput(cluster: input.cluster, pki: input.pki, encryption: EncryptionKeyRing(keys: []))) } == .unusableKeyRing)
    }
}
