import ArgumentParser
import Foundation
import WXPipelines

/// `wxens train`: trains a generator from a configuration file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a generator.", subcommands: [TrainDiffusionCommand.self, TrainVAECommand.self])
}

/// `wxens train diffusion --config FILE`: a SEEDS-style diffusion generator (GEE or GPP).
struct TrainDiffusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffusion",
        abstract: "Train a SEEDS-style diffusion generator; resumes from <output>.training after an interruption.")

    @Option(help: "Training configuration (YAML or JSON).") var config: String
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        do {
            let c = try SEEDSTrainingConfig.read(config)
            let r = try SEEDSTrainingWorkflow.run(c, quiet: quiet)
            if !quiet, let last = r.state.history.last {
                print("trained \(c.mode.rawValue): step \(r.state.step), validation loss \(last.validation), model in \(c.output)")
            }
        } catch {
            throw failWith(error)
        }
    }
}

/// `wxens train vae --config FILE`: a FuXi-ENS-style VAE forecaster.
struct TrainVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae",
        abstract: "Train a FuXi-ENS-style VAE forecaster; resumes from <output>.training after an interruption.")

    @Option(help: "Training configuration (YAML or JSON).") var config: String
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        do {
            let c = try VAETrainingConfig.read(config)
            let r = try VAETrainingWorkflow.run(c, quiet: quiet)
            if !quiet, let last = r.state.history.last {
                print("trained vae: step \(r.state.step), validation CRPS \(last.validation), model in \(c.output)")
            }
        } catch {
            throw failWith(error)
        }
    }
}
