import Foundation
import XCTest
import WXCore
import WXNN
import WXGenerative
import WXPipelines

/// `wxens train diffusion` on the shared perfect-model blocks with a tiny denoiser, a few steps only: the run
/// stops, resumes from its checkpoint, ends with the model directory; the normalisation is what it says.
final class SEEDSTrainingTests: XCTestCase {
    static let shared = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model").path

    private func config(_ dir: URL, mode: SEEDSConfig.Mode, output: String = "model", truthWeight: Double = 0.5,
                        initial: String? = nil, channels: String = "[4, 8]") throws -> SEEDSTrainingConfig {
        let yaml = """
        mode: \(mode.rawValue)
        seed: 3
        output: \(dir.appendingPathComponent(output).path)
        \(initial.map { "initial_weights: " + $0 } ?? "")
        data:
          train: \(Self.shared)/reforecast_train.nc
          validation: \(Self.shared)/reforecast_validation.nc
          truth: \(Self.shared)/truth.nc
        variables: [t850, msl]
        seed_members: 2
        truth_weight: \(truthWeight)
        model: {channels: \(channels), res_blocks: 1, attention_levels: [1], mid_attention: false, attention_heads: 1,
                groups: 2, embedding_width: 8, noise_features: 4}
        training: {steps: 3, batch_size: 2, learning_rate: 1.0e-3, minimum_learning_rate: 0, warmup_steps: 1,
                   weight_decay: 0, gradient_clip: 1, ema_decay: 0.9, evaluate_every: 3, checkpoint_every: 1}
        sampler: {method: heun, steps: 4, schedule: {sigma_max: 20, sigma_min: 0.002, rho: 7}, churn: 0, churn_min: 0,
                  churn_max: 1000, churn_noise: 1}
        """
        let path = dir.appendingPathComponent(output + ".train.yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        return try SEEDSTrainingConfig.read(path.path)
    }

    func testTrainStopResumeAndExport() throws {
        guard FileManager.default.fileExists(atPath: Self.shared + "/reforecast_train.nc") else {
            throw XCTSkip("the shared perfect-model data (../shared/data/perfect-model) is absent")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-seeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for mode in [SEEDSConfig.Mode.gee, .gpp] {
            let c = try config(dir, mode: mode)
            let first = try SEEDSTrainingWorkflow.run(c, quiet: true, stopAfter: 2)
            XCTAssertEqual(first.state.step, 2)
            XCTAssertFalse(FileManager.default.fileExists(atPath: c.output), "no model before the last step")
            let done = try SEEDSTrainingWorkflow.run(c, quiet: true)
            XCTAssertEqual(done.state.step, 3)
            XCTAssert(done.state.history.last!.validation.isFinite)
            let g = try SEEDSGenerator(checkpoint: c.output)
            XCTAssertEqual(g.config.mode, mode)
            XCTAssertEqual(g.config.truthWeight, mode == .gpp ? 0.5 : 0)
            XCTAssertEqual(g.statistics.mean.shape, [3, 2, 48, 96])
            // Residual scales are the spread of a member about a 2-seed mean: positive, and larger at longer leads.
            let q = g.statistics.residualScale.array
            XCTAssert(q.allSatisfy { $0 > 0 && $0.isFinite })
            XCTAssertLessThan(q[0], q[4])
            try FileManager.default.removeItem(atPath: c.output)
            try FileManager.default.removeItem(atPath: c.output + ".training")
        }
    }

    /// Fine-tuning a GPP model with another truth weight starts from its weights and keeps its normalisation; a start
    /// with another network is refused.
    func testFineTuneFromAModel() throws {
        guard FileManager.default.fileExists(atPath: Self.shared + "/reforecast_train.nc") else {
            throw XCTSkip("the shared perfect-model data (../shared/data/perfect-model) is absent")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-seeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try config(dir, mode: .gpp)
        try SEEDSTrainingWorkflow.run(base, quiet: true)
        let tuned = try config(dir, mode: .gpp, output: "tuned", truthWeight: 1, initial: base.output)
        let first = try SEEDSTrainingWorkflow.run(tuned, quiet: true, stopAfter: 1)
        let a = try SEEDSGenerator(checkpoint: base.output)
        // One step of AdamW at learning rate 1e-3 moves each weight by about 1e-3 from where it started.
        for (x, y) in zip(a.parameters.tensors, first.parameters.tensors) {
            XCTAssertLessThanOrEqual(zip(x.array, y.array).map { abs($0 - $1) }.max() ?? 0, 2e-3)
        }
        try SEEDSTrainingWorkflow.run(tuned, quiet: true)
        let b = try SEEDSGenerator(checkpoint: tuned.output)
        XCTAssertEqual(b.config.truthWeight, 1)
        XCTAssertEqual(a.statistics.tensors.mapValues(\.array), b.statistics.tensors.mapValues(\.array))
        let other = try config(dir, mode: .gpp, output: "other", initial: base.output, channels: "[4, 4]")
        XCTAssertThrowsError(try SEEDSTrainingWorkflow.run(other, quiet: true)) { XCTAssert("\($0)".contains("initial_weights"), "\($0)") }
    }

    /// The combinations of seeds and target: C(5, 2) seed pairs x 3 other members.
    func testCombinations() {
        let c = SEEDSExamples.combinations(members: 5, seeds: 2)
        XCTAssertEqual(c.count, 30)
        XCTAssert(c.allSatisfy { !$0.seeds.contains($0.target) && $0.seeds.count == 2 })
        XCTAssertEqual(Set(c.map { $0.seeds.map(String.init).joined() + "-\($0.target)" }).count, 30)
    }
}
