import ArgumentParser

/// `wxens inspect` (not built yet).
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Not built yet.")
    func run() throws { throw ValidationError("not built yet") }
}
