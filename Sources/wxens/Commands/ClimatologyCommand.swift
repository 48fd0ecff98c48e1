import ArgumentParser

/// `wxens climatology` (not built yet).
struct ClimatologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "climatology", abstract: "Not built yet.")
    func run() throws { throw ValidationError("not built yet") }
}
