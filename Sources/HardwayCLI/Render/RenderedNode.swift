/// What `render` keeps of a node once its files are compared and staged: their summaries, the
/// paths it wrote under the directory (MANIFEST included), and what changed.
struct RenderedNode {
    var host: String
    var files: [RenderReport.File]
    var paths: [String]
    var changes: [RenderWriter.Entry]
}
