import ArgumentParser

/// `wxens-bench io` (not built yet).
struct IOBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "io", abstract: "Not built yet.")
    func run() throws { throw ValidationError("not built yet") }
}
