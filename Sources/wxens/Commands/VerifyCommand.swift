import ArgumentParser

/// `wxens verify` (not built yet).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Not built yet.")
    func run() throws { throw ValidationError("not built yet") }
}
