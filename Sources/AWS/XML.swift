import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML element with its children and text, names without their namespace prefix, so a
/// response reads the same whatever namespace string (or version in it) the service sends.
public final class XMLNode: @unchecked Sendable {
    public let name: String
    public fileprivate(set) var children: [XMLNode] = []
    public fileprivate(set) var text = ""

    init(name: String) { self.name = name }

    /// The first child with this name.
    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// The trimmed text of the first child with this name; nil when there is no such child.
    public func string(_ name: String) -> String? { child(name)?.value }

    /// The element's trimmed text.
    public var value: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Follows children by name: `path("vpc", "vpcId")`.
    public func path(_ names: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in names { node = node?.child(name) }
        return node
    }

    /// The entries of a list: `<vpcSet><item/>…</vpcSet>` (EC2) or `<LoadBalancers><member/>…` (ELBv2, IAM).
    public func list(_ name: String) -> [XMLNode] {
        child(name)?.children.filter { $0.name == "item" || $0.name == "member" } ?? []
    }

    /// Every element with this name, depth first.
    public func all(_ name: String) -> [XMLNode] {
        var found: [XMLNode] = []
        for child in children {
            if child.name == name { found.append(child) }
            found += child.all(name)
        }
        return found
    }

    /// EC2's `<tagSet><item><key/><value/></item></tagSet>` or ELBv2's `<Tags><member><Key/><Value/>`.
    public var tags: [String: String] {
        var tags: [String: String] = [:]
        for item in list("tagSet") + list("Tags") {
            if let key = item.string("key") ?? item.string("Key") {
                tags[key] = item.string("value") ?? item.string("Value") ?? ""
            }
        }
        return tags
    }

    /// Parses a whole document; nil when it is not well-formed XML.
    public static func parse(_ data: [UInt8]) -> XMLNode? {
        let delegate = TreeBuilder()
        let parser = XMLParser(data: Data(data))
        parser.shouldProcessNamespaces = false
        parser.delegate = delegate
        guard parser.parse(), let root = delegate.root else { return nil }
        return root
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var root: XMLNode?
    private var stack: [XMLNode] = []

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        let node = XMLNode(name: local)
        if let parent = stack.last { parent.children.append(node) } else { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
    }
}
