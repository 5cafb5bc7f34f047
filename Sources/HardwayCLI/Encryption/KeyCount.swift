/// How many secrets etcd holds under one key, and that key's part in the key ring.
struct KeyCount: Encodable {
    var key: String
    var secrets: Int
    var role: String
}
