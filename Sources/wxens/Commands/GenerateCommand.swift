import ArgumentParser
import Foundation
import WXGenerative
import WXPipelines

extension SEEDSConfig.Mode: ExpressibleByArgument {}
extension DiffusionSampler.Method: ExpressibleByArgument {}

/// `wxens generate`: a SEEDS-style ensemble from the seed members of a reforecast-layout file.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate ensemble members from seed members with a SEEDS-style diffusion model (GEE or GPP).")

    @Option(help: "Seeds file with dims (init_time, member, lead_time, latitude, longitude).") var seeds: String
    @Option(help: "Members to generate.") var members: Int
    @Option(help: "Output CF file.") var out: String
    @Option(help: "gee (emulate the physics ensemble) or gpp (post-process toward the truth).") var mode: SEEDSConfig.Mode = .gee
    @Option(help: "Model directory (default: the embedded model for --mode, data/models/seeds-gee or data/models/seeds-gpp-tw1).") var checkpoint: String?
    @Option(name: .customLong("seed-members"), help: "Comma-separated member indices used as seeds (default: the first K).")
    var seedMembers: String?
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Sampler steps (default: the model's).") var steps: Int?
    @Option(help: "Sampler: heun or dpmpp2m (default: the model's).") var sampler: DiffusionSampler.Method?
    @Option(name: .customLong("batch-size"), help: "Cases sampled together.") var batchSize: Int = 8
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        do {
            let seedList = try seedMembers.map { text in
                try text.split(separator: ",").map { s -> Int in
                    guard let k = Int(s.trimmingCharacters(in: .whitespaces)) else {
                        throw ValidationError("--seed-members: '\(s)' is not a member index")
                    }
                    return k
                }
            }
            try GenerateWorkflow.run(GenerateOptions(
                seedsPath: seeds, members: members, outPath: out, checkpoint: checkpoint ?? EmbeddedModels.path(mode),
                seedMembers: seedList, seed: seed, steps: steps, method: sampler, batchSize: batchSize, quiet: quiet))
        } catch let e as ValidationError {
            throw e
        } catch {
            throw failWith(error)
        }
    }
}

/// Where the embedded models are: `data/models/` of the current directory, else of the checkout holding the executable.
enum EmbeddedModels {
    /// The default VAE: the single-step model fine-tuned through 4-step rollouts.
    static let vae = "fuxi-vae-rollout"

    /// The directory of the embedded model for `mode` (GPP: the model fine-tuned with truth weight 1).
    static func path(_ mode: SEEDSConfig.Mode) -> String { path(named: mode == .gpp ? "seeds-gpp-tw1" : "seeds-gee") }

    /// The directory of the embedded model `data/models/<name>`.
    static func path(named name: String) -> String {
        let rel = "data/models/\(name)"
        if FileManager.default.fileExists(atPath: rel) { return rel }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(rel).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return rel
    }
}
