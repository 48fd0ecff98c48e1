import ArgumentParser

/// `wxens-bench verify` (not built yet).
struct VerifyBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Not built yet.")
    func run() throws { throw ValidationError("not built yet") }
}
