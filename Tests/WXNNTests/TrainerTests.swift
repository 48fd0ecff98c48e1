import Foundation
import XCTest
import WXCore
import WXKernels
import WXNN

/// A small denoising task for the trainer: smooth fields (fixed per example) plus noise drawn per (step, example),
/// the tiny U-Net recovering the field under a latitude-weighted MSE.
private struct DenoiseTask: TrainingTask {
    let net: UNet
    let fields: [Tensor]
    let seed: UInt64
    let weights: [Double]
    var exampleCount: Int { fields.count }

    init(examples: Int, seed: UInt64) throws {
        net = try UNet(tinyUNetConfig())
        self.seed = seed
        fields = (0..<examples).map { e in
            var g = Philox(seed: 99, purpose: .trainingDraw, index: [UInt64(e)])
            let a = Float(g.nextNormal()), b = Float(g.nextNormal()), k = Float(1 + e % 3)
            return Tensor(unsafeUninitializedShape: [1, 2, 4, 8]) { out in
                for c in 0..<2 { for i in 0..<4 { for j in 0..<8 {
                    let lon = Float(j) / 8 * 2 * .pi
                    out[(c * 4 + i) * 8 + j] = (c == 0 ? a : b) * sin(k * lon + Float(i)) } } }
            }
        }
        weights = (0..<4).map { cos((Double($0) - 1.5) * 0.6) }
    }

    func batch(_ examples: [Int], step: Int) throws -> (x: Tensor, cond: Tensor, s: Tensor, target: Tensor) {
        var xs: [Float] = [], ts: [Float] = []
        for e in examples {
            var noise = [Float](repeating: 0, count: 64)
            var g = Philox(seed: seed, purpose: .trainingNoise, index: [UInt64(step), UInt64(e)])
            noise.withUnsafeMutableBufferPointer { g.fillNormal($0) }
            let f = fields[e].array
            ts += f
            xs += zip(f, noise).map { $0 + 0.5 * $1 }
        }
        let n = examples.count
        return (Tensor(shape: [n, 2, 4, 8], values: xs), Tensor(shape: [n, 1, 4, 8], repeating: 1),
                Tensor(shape: [n, 2], values: (0..<n).flatMap { _ in [Float(0.5), 24] }), Tensor(shape: [n, 2, 4, 8], values: ts))
    }

    func lossAndGradients(_ p: UNet.Parameters, examples: [Int], step: Int) throws -> (loss: Double, gradients: UNet.Parameters) {
        let b = try batch(examples, step: step)
        let (y, cache) = try net.forward(b.x, condition: b.cond, scalars: b.s, p)
        let loss = try MSELoss.latitudeWeighted(prediction: y, target: b.target, weights: weights)
        let gy = try MSELoss.latitudeWeightedBackward(prediction: y, target: b.target, weights: weights)
        return (loss, try net.backward(gy, cache, p).parameters)
    }

    func validationLoss(_ p: UNet.Parameters) throws -> Double {
        let b = try batch(Array(0..<exampleCount), step: 0)
        let (y, _) = try net.forward(b.x, condition: b.cond, scalars: b.s, p)
        return try MSELoss.latitudeWeighted(prediction: y, target: b.target, weights: weights)
    }

    func activationBytes(batchSize: Int) throws -> Int {
        let b = try batch(Array(0..<batchSize), step: 1)
        var rng = SplitMix64(seed: 1)
        return try net.forward(b.x, condition: b.cond, scalars: b.s, net.initialParameters(&rng)).1.bytes
    }
}

final class TrainerTests: XCTestCase {
    private func options(steps: Int, seed: UInt64 = 3) -> TrainerOptions {
        TrainerOptions(steps: steps, batchSize: 3,
                       schedule: LearningRateSchedule(peak: 1e-2, minimum: 1e-3, warmupSteps: 5, totalSteps: steps),
                       optimizer: AdamW(weightDecay: 0.01), gradientClip: 1, emaDecay: 0.9,
                       evaluateEvery: 5, checkpointEvery: 4, seed: seed)
    }

    private func initial(_ task: DenoiseTask) -> UNet.Parameters {
        var rng = Philox(seed: 3, purpose: .initialization)
        return task.net.initialParameters(&rng)
    }

    private func bits(_ p: UNet.Parameters) -> [[UInt32]] { p.tensors.map { $0.array.map(\.bitPattern) } }

    /// Training lowers the validation loss of the averaged weights well below where it starts.
    func testLearnsTheTask() throws {
        let task = try DenoiseTask(examples: 12, seed: 1)
        let p0 = initial(task)
        let before = try task.validationLoss(p0)
        let trainer = try Trainer(task: task, options: options(steps: 60), config: Data("{}".utf8), checkpointPath: nil, quiet: true)
        let r = try trainer.run(initial: p0)
        XCTAssertEqual(r.state.step, 60)
        XCTAssertEqual(r.state.history.map(\.step), Array(stride(from: 5, through: 60, by: 5)))
        XCTAssertLessThan(r.state.history.last!.validation, 0.5 * before, "validation \(r.state.history.map(\.validation)), start \(before)")
        XCTAssertEqual(r.state.history.last!.validation, try task.validationLoss(r.average), accuracy: 1e-12)
    }

    /// A run stopped after 5 steps and resumed from its checkpoint ends with the same bits as an uninterrupted one,
    /// at one thread or two; the examples of a step do not depend on where the run started.
    func testResumeAndThreadsGiveTheSameBits() throws {
        let dir = try temporaryDirectory(self)
        let task = try DenoiseTask(examples: 7, seed: 1)
        let straight = try Parallel.withThreads(2) {
            try Trainer(task: task, options: options(steps: 11), config: Data("{}".utf8), checkpointPath: nil, quiet: true)
                .run(initial: initial(task))
        }
        let path = dir.appendingPathComponent("ckpt").path
        let first = try Parallel.withThreads(1) {
            try Trainer(task: task, options: options(steps: 11), config: Data("{}".utf8), checkpointPath: path, quiet: true)
                .run(initial: initial(task), stopAfter: 5)
        }
        XCTAssertEqual(first.state.step, 5)
        let ckpt = try Checkpoint.read(path)
        XCTAssertEqual(ckpt.training?.state.step, 5)
        let resumed = try Parallel.withThreads(1) {
            try Trainer(task: task, options: options(steps: 11), config: Data("{}".utf8), checkpointPath: path, quiet: true)
                .run(initial: initial(task))
        }
        XCTAssertEqual(resumed.state.step, 11)
        XCTAssertEqual(bits(resumed.parameters), bits(straight.parameters))
        XCTAssertEqual(bits(resumed.average), bits(straight.average))
        XCTAssertEqual(resumed.state.history, straight.state.history)
        XCTAssertEqual(resumed.state.emaUpdates, 11)
        // Every example appears once per epoch of 7 in the order the trainer draws.
        let trainer = try Trainer(task: task, options: options(steps: 11), config: Data("{}".utf8), checkpointPath: nil, quiet: true)
        let positions = (1...7).flatMap { trainer.batch(step: $0) }
        XCTAssertEqual(positions[0..<7].sorted(), Array(0..<7))
        XCTAssertEqual(positions[7..<14].sorted(), Array(0..<7))
        XCTAssertNotEqual(Array(positions[0..<7]), Array(positions[7..<14]))
    }

    /// A checkpoint holds the weights under their names, the average, the moments and the counters.
    func testCheckpointContents() throws {
        let dir = try temporaryDirectory(self)
        let task = try DenoiseTask(examples: 4, seed: 1)
        let path = dir.appendingPathComponent("m").path
        let r = try Trainer(task: task, options: options(steps: 4), config: Data(#"{"model":"tiny"}"#.utf8), checkpointPath: path, quiet: true)
            .run(initial: initial(task))
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: path)),
                       ["config.json", "model.safetensors", "ema.safetensors", "optimizer.safetensors", "state.json"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m"])
        let c = try Checkpoint.read(path)
        XCTAssertEqual(String(decoding: c.config, as: UTF8.self), #"{"model":"tiny"}"#)
        var other = Philox(seed: 9, purpose: .initialization)
        var loaded = task.net.initialParameters(&other)
        try loaded.load(c.weights, source: path)
        XCTAssertEqual(bits(loaded), bits(r.parameters))
        try loaded.load(c.ema!, source: path)
        XCTAssertEqual(bits(loaded), bits(r.average))
        XCTAssertEqual(Set(c.training!.firstMoment.keys), Set(r.parameters.named().map(\.name)))
        XCTAssertEqual(c.training!.state.totalSteps, 4)
    }

    /// Resuming under another configuration, from a damaged checkpoint, or beyond a memory cap is refused.
    func testRefusals() throws {
        let dir = try temporaryDirectory(self)
        let task = try DenoiseTask(examples: 4, seed: 1)
        let path = dir.appendingPathComponent("m").path
        _ = try Trainer(task: task, options: options(steps: 4), config: Data("{}".utf8), checkpointPath: path, quiet: true)
            .run(initial: initial(task), stopAfter: 2)
        XCTAssertThrowsError(try Trainer(task: task, options: options(steps: 4, seed: 4), config: Data("{}".utf8),
                                         checkpointPath: path, quiet: true).run(initial: initial(task))) {
            guard case TrainingError.resumeMismatch(let p, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(p, path)
        }
        let model = path + "/model.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: model))
        try data.prefix(data.count - 10).write(to: URL(fileURLWithPath: model))
        XCTAssertThrowsError(try Trainer(task: task, options: options(steps: 4), config: Data("{}".utf8),
                                         checkpointPath: path, quiet: true).run(initial: initial(task))) {
            guard case CheckpointError.truncated(let p, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(p, model)
        }
        var capped = options(steps: 4)
        capped.maxMemoryBytes = 1000
        XCTAssertThrowsError(try Trainer(task: task, options: capped, config: Data("{}".utf8), checkpointPath: nil, quiet: true)
            .run(initial: initial(task))) {
            guard case TrainingError.memoryCap = $0 else { return XCTFail("\($0)") }
        }
        var bad = options(steps: 4)
        bad.batchSize = 0
        XCTAssertThrowsError(try Trainer(task: task, options: bad, config: Data(), checkpointPath: nil, quiet: true)) {
            guard case TrainingError.invalidOption(let name, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(name, "batch_size")
        }
    }
}
