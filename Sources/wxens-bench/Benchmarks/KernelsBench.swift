import ArgumentParser

/// `wxens-bench kernels` (not built yet).
struct KernelsBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kernels", abstract: "Not built yet.")
    func run() throws { throw ValidationError("not built yet") }
}
