import Yams

/// One field of a mapping in the cluster file: its key, and how its value is read into the section
/// that holds it. A table of them (`ClusterFileFields`) is both the reading and the list of keys a
/// mapping allows, so the two cannot drift apart.
struct SpecField<Section> {
    let key: String
    /// Reads the field's node (nil when the key is absent) at its path into the section.
    let read: (inout SpecReader, Node?, String, inout Section) -> Void

    static func string(_ key: String, _ target: WritableKeyPath<Section, String?>) -> Self {
        Self(key: key) { reader, node, path, section in section[keyPath: target] = reader.string(node, at: path) }
    }

    static func int(_ key: String, _ target: WritableKeyPath<Section, Int?>) -> Self {
        Self(key: key) { reader, node, path, section in section[keyPath: target] = reader.int(node, at: path) }
    }

    static func bool(_ key: String, _ target: WritableKeyPath<Section, Bool?>) -> Self {
        Self(key: key) { reader, node, path, section in section[keyPath: target] = reader.bool(node, at: path) }
    }

    static func strings(_ key: String, _ target: WritableKeyPath<Section, [String]?>) -> Self {
        Self(key: key) { reader, node, path, section in section[keyPath: target] = reader.stringList(node, at: path) }
    }

    /// A nested mapping: present (empty when written empty) unless it is not a mapping at all.
    static func mapping<Value: SpecSection>(_ key: String, _ target: WritableKeyPath<Section, Value?>,
                                            _ fields: [SpecField<Value>]) -> Self {
        Self(key: key) { reader, node, path, section in
            guard let node, let value = reader.read(node, at: path, fields: fields) else { return }
            section[keyPath: target] = value
        }
    }

    /// A list of mappings (the hosts): each entry's line is kept for diagnostics, and an entry that
    /// is not a mapping stays in the list empty, so the others keep their indexes.
    static func list<Value: SpecSection>(_ key: String, _ target: WritableKeyPath<Section, [Value]?>,
                                         _ fields: [SpecField<Value>]) -> Self {
        Self(key: key) { reader, node, path, section in
            guard let node, let items = reader.sequence(node, at: path) else { return }
            var values: [Value] = []
            for (index, item) in items.enumerated() {
                let itemPath = "\(path)[\(index)]"
                reader.lines[itemPath] = item.mark?.line
                values.append(reader.read(item, at: itemPath, fields: fields) ?? Value())
            }
            section[keyPath: target] = values
        }
    }
}

/// A part of the spec the reader fills field by field, starting from empty: `ClusterSpec` and its sections.
protocol SpecSection { init() }

