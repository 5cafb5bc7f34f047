import Foundation
import Shell

/// A file to put on a host: where, with which mode and owner, holding what — bytes in memory (a
/// rendered file), or a file of this box read as it is sent (a binary, an image, a snapshot).
public struct RemoteFile: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case bytes(Data)
        case file(String)
    }

    public var path: String
    public var mode: UInt16
    public var owner: String
    public var source: Source

    public init(path: String, mode: UInt16, owner: String = "root:root", contents: Data) {
        self.path = path
        self.mode = mode
        self.owner = owner
        self.source = .bytes(contents)
    }

    /// A file of this box, read in chunks while it is sent: never whole in memory.
    public init(path: String, mode: UInt16, owner: String = "root:root", localFile: String) {
        self.path = path
        self.mode = mode
        self.owner = owner
        self.source = .file(localFile)
    }

    /// The bytes (read from the local file when that is the source).
    public func contents() throws -> Data {
        switch source {
        case .bytes(let data): return data
        case .file(let local):
            guard let data = FileManager.default.contents(atPath: local) else { throw Tar.Unreadable(path: local) }
            return data
        }
    }

    /// How many bytes it holds.
    func size() throws -> UInt64 {
        switch source {
        case .bytes(let data): return UInt64(data.count)
        case .file(let local):
            guard let size = (try? FileManager.default.attributesOfItem(atPath: local))?[.size] as? NSNumber else { throw Tar.Unreadable(path: local) }
            return size.uint64Value
        }
    }
}

/// A POSIX ustar stream: how a batch of files crosses one ssh connection and lands with its modes
/// and owners (`tar -x -p` as root), whatever their size. Written as it is sent, a file's bytes at
/// most a chunk at a time in memory; sizes past ustar's 8 GiB are written in GNU tar's base-256.
public enum Tar {
    static let chunk = 1 << 20

    public struct Unreadable: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "cannot read \(path)" }
    }

    struct NameTooLong: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is too long for a tar header" }
    }

    /// The whole stream in memory (for tests and small batches).
    public static func archive(_ files: [RemoteFile], modified: Date = Date()) throws -> Data {
        var data = Data()
        try write(files, modified: modified) { data.append($0) }
        return data
    }

    /// Writes the stream to `sink`, a header and a file's bytes (chunk by chunk) at a time.
    public static func write(_ files: [RemoteFile], modified: Date = Date(), to sink: (Data) throws -> Void) throws {
        for file in files {
            let size = try file.size()
            try sink(try header(for: file, size: size, modified: modified))
            switch file.source {
            case .bytes(let data): try sink(data)
            case .file(let local):
                guard let handle = FileHandle(forReadingAtPath: local) else { throw Unreadable(path: local) }
                defer { try? handle.close() }
                var sent: UInt64 = 0
                while sent < size, let data = try handle.read(upToCount: chunk), !data.isEmpty {
                    let part = data.prefix(Int(min(UInt64(data.count), size - sent)))
                    try sink(part)
                    sent += UInt64(part.count)
                }
                // A file that shrank while it was read: the stream must still say what its header said.
                guard sent == size else { throw Unreadable(path: local) }
            }
            let padding = Int((512 - size % 512) % 512)
            if padding > 0 { try sink(Data(count: padding)) }
        }
        try sink(Data(count: 1024))
    }

    static func header(for file: RemoteFile, size: UInt64, modified: Date) throws -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        let relative = file.path.hasPrefix("/") ? String(file.path.dropFirst()) : file.path
        var name = relative
        var prefix = ""
        if relative.utf8.count > 100 {
            // Split at a slash so the name fits 100 bytes and the prefix 155.
            guard let cut = relative.indices.filter({ relative[$0] == "/" }).first(where: {
                relative[relative.index(after: $0)...].utf8.count <= 100 && relative[..<$0].utf8.count <= 155
            }) else { throw NameTooLong(path: file.path) }
            prefix = String(relative[..<cut])
            name = String(relative[relative.index(after: cut)...])
        }
        let owner = file.owner.split(separator: ":").map(String.init)
        func put(_ text: String, at offset: Int, length: Int) {
            for (index, byte) in text.utf8.prefix(length).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: UInt64, at offset: Int, length: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, length - 1 - digits.count)) + digits, at: offset, length: length - 1)
        }
        put(name, at: 0, length: 100)
        octal(UInt64(file.mode), at: 100, length: 8)
        octal(0, at: 108, length: 8)
        octal(0, at: 116, length: 8)
        if size < 1 << 33 {
            octal(size, at: 124, length: 12)
        } else {
            // GNU tar's base-256: the high bit of the first byte set, the size big-endian after it.
            block[124] = 0x80
            for index in 0..<8 { block[124 + 4 + index] = UInt8((size >> (8 * UInt64(7 - index))) & 0xff) }
        }
        octal(UInt64(max(0, modified.timeIntervalSince1970)), at: 136, length: 12)
        put("        ", at: 148, length: 8)
        block[156] = UInt8(ascii: "0")
        put("ustar", at: 257, length: 6)
        put("00", at: 263, length: 2)
        put(owner.first ?? "root", at: 265, length: 32)
        put(owner.count > 1 ? owner[1] : (owner.first ?? "root"), at: 297, length: 32)
        put(prefix, at: 345, length: 155)
        let sum = block.reduce(0) { $0 + Int($1) }
        let text = String(sum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - text.count)) + text, at: 148, length: 6)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        return Data(block)
    }
}
