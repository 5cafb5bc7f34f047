/// `encryption status` and `encryption rotate` with `--output json`: the key ring and the next step.
struct EncryptionReport: Encodable {
    struct Key: Encodable {
        var name: String
        var provider: String
        var writes: Bool
    }
    var file: String
    var stage: String
    var keys: [Key]
    var next: String
}
