/// A failure the CLI reports as `error: message; fix` with an exit code.
struct CLIError: Error {
    var message: String
    var fix: String?
    var exitCode: Int32 = 1

    init(_ message: String, fix: String? = nil, exitCode: Int32 = 1) {
        self.message = message
        self.fix = fix
        self.exitCode = exitCode
    }
}
