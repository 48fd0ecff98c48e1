import Foundation
import XCTest
import WXCore
import WXNN
import WXGenerative
import WXPipelines

/// `wxens train vae` on the shared nature run with tiny networks, a few steps only: the run stops, resumes from its
/// checkpoint, ends with the model directory; the normalisation is what it says; bad periods are refused.
final class VAETrainingTests: XCTestCase {
    static let shared = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model").path

    private func config(_ dir: URL, trainFrames: String = "[1, 40]", latent: String = "posterior", rollout: Int = 1,
                        initial: String? = nil, output: String = "model", decoder: String = "[4, 8]") throws -> VAETrainingConfig {
        let yaml = """
        seed: 3
        output: \(dir.appendingPathComponent(output).path)
        \(initial.map { "initial_weights: " + $0 } ?? "")
        data: {truth: \(Self.shared)/truth.nc, train_frames: \(trainFrames), validation_frames: [740, 760], validation_every: 10}
        variables: [t850, msl]
        latent_channels: 2
        log_variance_limit: 6
        model:
          prior: {channels: [4, 8], res_blocks: 1, attention_levels: [], mid_attention: false, attention_heads: 1, groups: 2}
          posterior: {channels: [4, 8], res_blocks: 1, attention_levels: [], mid_attention: false, attention_heads: 1, groups: 2}
          decoder: {channels: \(decoder), res_blocks: 1, attention_levels: [1], mid_attention: true, attention_heads: 1, groups: 2}
        loss: {members: 2, beta: 0.1, latent: \(latent), rollout_steps: \(rollout)}
        training: {steps: 3, batch_size: 2, learning_rate: 1.0e-3, minimum_learning_rate: 0, warmup_steps: 1,
                   weight_decay: 0, gradient_clip: 1, ema_decay: 0.9, evaluate_every: 3, checkpoint_every: 1}
        """
        let path = dir.appendingPathComponent(output + ".train.yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        return try VAETrainingConfig.read(path.path)
    }

    func testTrainStopResumeAndExport() throws {
        guard FileManager.default.fileExists(atPath: Self.shared + "/truth.nc") else {
            throw XCTSkip("the shared perfect-model data (../shared/data/perfect-model) is absent")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-vae-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for latent in ["posterior", "prior"] {
            let c = try config(dir, latent: latent)
            let first = try VAETrainingWorkflow.run(c, quiet: true, stopAfter: 2)
            XCTAssertEqual(first.state.step, 2)
            XCTAssertFalse(FileManager.default.fileExists(atPath: c.output), "no model before the last step")
            let done = try VAETrainingWorkflow.run(c, quiet: true)
            XCTAssertEqual(done.state.step, 3)
            XCTAssert(done.state.history.last!.validation.isFinite)
            let f = try VAEForecaster(checkpoint: c.output)
            XCTAssertEqual(f.variables, ["t850", "msl"])
            XCTAssertEqual(f.stepHours, 6)
            XCTAssertEqual(f.latitudes.count, 48)
            // Normalisation: t850 has a mean near 270 K and a 6-hour increment far smaller than its spread.
            XCTAssert((250...290).contains(f.statistics.mean[0]))
            XCTAssertLessThan(f.statistics.incrementStd[0], 0.5 * f.statistics.std[0])
            XCTAssertGreaterThan(f.statistics.incrementStd[1], 0)
            try FileManager.default.removeItem(atPath: c.output)
            try FileManager.default.removeItem(atPath: c.output + ".training")
        }
    }

    func testPeriodOutsideTheFileIsRefused() throws {
        guard FileManager.default.fileExists(atPath: Self.shared + "/truth.nc") else {
            throw XCTSkip("the shared perfect-model data (../shared/data/perfect-model) is absent")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-vae-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = try config(dir, trainFrames: "[1, 5000]")
        XCTAssertThrowsError(try VAETrainingWorkflow.run(c, quiet: true)) { error in
            XCTAssert("\(error)".contains("train_frames"), "\(error)")
        }
    }

    /// Multi-step fine-tuning starts from a trained model's weights and normalisation, trains prior and decoder
    /// through a 3-step rollout and leaves the posterior as it was; a mismatched start or posterior draws are refused.
    func testRolloutFineTuningFromAModel() throws {
        guard FileManager.default.fileExists(atPath: Self.shared + "/truth.nc") else {
            throw XCTSkip("the shared perfect-model data (../shared/data/perfect-model) is absent")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-vae-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try config(dir, latent: "prior")
        try VAETrainingWorkflow.run(base, quiet: true)
        let tuned = try config(dir, trainFrames: "[1, 20]", latent: "prior", rollout: 3, initial: base.output, output: "tuned")
        let result = try VAETrainingWorkflow.run(tuned, quiet: true)
        XCTAssertEqual(result.state.step, 3)
        XCTAssert(result.state.history.last!.validation.isFinite)
        let a = try VAEForecaster(checkpoint: base.output), b = try VAEForecaster(checkpoint: tuned.output)
        XCTAssertEqual(a.statistics, b.statistics)
        XCTAssertEqual(a.parameters.posterior.tensors.map(\.array), result.parameters.posterior.tensors.map(\.array))
        XCTAssertNotEqual(a.parameters.decoder.tensors.map(\.array), b.parameters.decoder.tensors.map(\.array))
        XCTAssertNotEqual(a.parameters.prior.tensors.map(\.array), b.parameters.prior.tensors.map(\.array))

        let other = try config(dir, latent: "prior", rollout: 2, initial: base.output, output: "other", decoder: "[4, 4]")
        XCTAssertThrowsError(try VAETrainingWorkflow.run(other, quiet: true)) { XCTAssert("\($0)".contains("initial_weights"), "\($0)") }
        let posterior = try config(dir, latent: "posterior", rollout: 2, output: "posterior")
        XCTAssertThrowsError(try VAETrainingWorkflow.run(posterior, quiet: true)) { XCTAssert("\($0)".contains("loss.latent"), "\($0)") }
    }
}
