import Foundation
import XCTest
import WXCore
import WXNN
import WXGenerative

/// Two SEEDS training steps against PyTorch on the same weights and batches (golden values written by
/// scripts/golden/make_seeds_step_golden.py; no PyTorch needed here): noise levels from the same normal draws, EDM
/// preconditioning, the area-weighted denoising loss with its weighting, backward, clipping, AdamW at the schedule's
/// rate and the moving average, run by WXNN's `Trainer` as `wxens train diffusion` runs them.
final class SEEDSStepTorchGoldenTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    /// seeds_step.json.
    struct Setup: Decodable {
        struct Training: Decodable {
            var learningRate: Double, minimumLearningRate: Double, warmupSteps: Int, steps: Int, weightDecay: Double
            var gradientClip: Double, emaDecay: Double, beta1: Double, beta2: Double, eps: Double
            enum CodingKeys: String, CodingKey {
                case steps, beta1, beta2, eps
                case learningRate = "learning_rate", minimumLearningRate = "minimum_learning_rate", warmupSteps = "warmup_steps"
                case weightDecay = "weight_decay", gradientClip = "gradient_clip", emaDecay = "ema_decay"
            }
        }
        var unet: UNetConfig, sigmaData: Double, trainingNoise: TrainingNoiseLevels, training: Training
        var latitudes: [Double], batch: Int
        enum CodingKeys: String, CodingKey {
            case unet, training, latitudes, batch
            case sigmaData = "sigma_data", trainingNoise = "training_noise"
        }

        var options: TrainerOptions {
            let t = training
            return TrainerOptions(steps: t.steps, batchSize: batch,
                                  schedule: LearningRateSchedule(peak: t.learningRate, minimum: t.minimumLearningRate,
                                                                 warmupSteps: t.warmupSteps, totalSteps: t.steps),
                                  optimizer: AdamW(beta1: t.beta1, beta2: t.beta2, eps: t.eps, weightDecay: t.weightDecay),
                                  gradientClip: t.gradientClip, emaDecay: t.emaDecay, evaluateEvery: 1_000, checkpointEvery: 1_000)
        }
    }

    /// The golden batches as a training task: step s takes batch s whatever examples the trainer picks, its noise
    /// levels drawn from the stored normal draws z and its noisy inputs y + sigma eps, as `SEEDSTrainingTask` makes them.
    final class GoldenBatches: TrainingTask {
        let denoiser: Denoiser, noise: TrainingNoiseLevels, rowWeights: [Double], golden: [String: Tensor], batch: Int
        /// What each step computed.
        var recorded: [Int: (loss: Double, sigma: [Double], denoised: Tensor, gradients: UNet.Parameters)] = [:]

        init(_ setup: Setup, golden: [String: Tensor]) throws {
            denoiser = Denoiser(net: try UNet(setup.unet), preconditioning: EDMPreconditioning(sigmaData: setup.sigmaData))
            noise = setup.trainingNoise
            rowWeights = setup.latitudes.map { cos($0 * .pi / 180) }
            self.golden = golden
            batch = setup.batch
        }

        var exampleCount: Int { batch }

        func tensor(_ name: String) throws -> Tensor { try XCTUnwrap(golden[name], "\(name) in the golden file") }

        func lossAndGradients(_ p: UNet.Parameters, examples: [Int], step: Int) throws -> (loss: Double, gradients: UNet.Parameters) {
            let target = try tensor("target\(step)"), eps = try tensor("eps\(step)")
            let sigma = try tensor("z\(step)").array.map { noise.sigma(Double($0)) }
            let per = target.count / batch
            let noisy = Tensor(shape: target.shape, values: (0..<target.count).map { target.array[$0] + Float(sigma[$0 / per]) * eps.array[$0] })
            let (d, cache) = try denoiser.forward(noisy, sigma: sigma, condition: try tensor("condition\(step)"),
                                                  leadHours: try tensor("lead\(step)").array.map(Double.init), p)
            let (loss, gD) = DenoisingLoss.evaluate(denoised: d, target: target, sigma: sigma, rowWeights: rowWeights,
                                                    preconditioning: denoiser.preconditioning)
            let g = try denoiser.backward(gD, cache, p)
            recorded[step] = (loss, sigma, d, g)
            return (loss, g)
        }

        func validationLoss(_ p: UNet.Parameters) throws -> Double { try lossAndGradients(p, examples: [], step: 1).loss }

        func activationBytes(batchSize: Int) throws -> Int { 0 }
    }

    var setup: Setup!
    var golden: [String: Tensor] = [:]
    var names: [String] = []

    override func setUpWithError() throws {
        setup = try JSONDecoder().decode(Setup.self, from: Data(contentsOf: URL(fileURLWithPath: Self.dir + "/seeds_step.json")))
        golden = try SafeTensors.read(Self.dir + "/seeds_step.safetensors").tensors
    }

    func tensor(_ name: String) throws -> Tensor { try XCTUnwrap(golden[name], "\(name) in the golden file") }

    /// The weights stored under `prefix` (strictly: every name, no other, same shapes).
    func weights(_ task: GoldenBatches, _ prefix: String) throws -> UNet.Parameters {
        var rng = SplitMix64(seed: 5)
        var p = task.denoiser.net.initialParameters(&rng)
        try p.load(golden, source: "seeds_step.safetensors", prefix: prefix)
        return p
    }

    func dict(_ p: UNet.Parameters) -> [String: [Float]] { Dictionary(uniqueKeysWithValues: p.named().map { ($0.name, $0.tensor.array) }) }

    /// Loss, D and gradients of each step at PyTorch's weights for that step (the initial ones, then those after
    /// step 1): float32 on both sides, summed in other orders; PyTorch's own float32 gradients are 2.7e-6 of a
    /// tensor's largest from float64 (the script prints it). Tolerances: 1e-4 of each tensor's largest |value| for D and
    /// the gradients (as UNetTorchGoldenTests), 1e-5 relative for the loss and the gradient norm (sums of many terms).
    func testLossAndGradientsMatchPyTorch() throws {
        let task = try GoldenBatches(setup, golden: golden)
        for (step, prefix) in [(1, "param."), (2, "after1.")] {
            let p = try weights(task, prefix)
            let (loss, g) = try task.lossAndGradients(p, examples: [], step: step)
            let rec = try XCTUnwrap(task.recorded[step])
            let sigma = try tensor("sigma\(step)").array
            for (a, b) in zip(rec.sigma, sigma) {
                XCTAssertEqual(Float(a), b, accuracy: 2 * b.ulp, "step \(step): sigma from the same normal draw")
            }
            let torchLoss = Double(try tensor("loss\(step)").array[0])
            XCTAssertEqual(loss, torchLoss, accuracy: 1e-5 * torchLoss, "step \(step): loss")
            let dError = relativeError(rec.denoised.array, try tensor("denoised\(step)").array)
            XCTAssertLessThanOrEqual(dError, 1e-4, "step \(step): D, max |wxens - torch| / max |torch|")
            let norm = GradientClipping.globalNorm(g), torchNorm = Double(try tensor("norm\(step)").array[0])
            XCTAssertEqual(norm, torchNorm, accuracy: 1e-5 * torchNorm, "step \(step): gradient norm before clipping")
            XCTAssertGreaterThan(torchNorm, setup.training.gradientClip, "step \(step): clipping is exercised")
            var worst = 0.0, compared = 0
            for (name, ours) in dict(g) {
                let reference = try tensor("grad\(step).\(name)").array
                XCTAssertEqual(ours.count, reference.count, name)
                if name.hasSuffix(".k.bias") {
                    // Softmax is invariant to the key bias: its exact gradient is zero, both sides hold rounding noise.
                    let largest = Double(reference.map(abs).max()!)
                    XCTAssertLessThan(Double(ours.map(abs).max()!), max(1e-5 * norm, 10 * largest), "grad.\(name) is noise")
                    continue
                }
                let e = relativeError(ours, reference)
                XCTAssertLessThanOrEqual(e, 1e-4, "step \(step): grad.\(name), max |wxens - torch| / max |torch|")
                worst = max(worst, e)
                compared += 1
            }
            XCTAssertEqual(compared + dict(g).keys.filter { $0.hasSuffix(".k.bias") }.count, dict(p).count)
            print("SEEDS step \(step) vs PyTorch: loss \(loss) (torch \(torchLoss)), D \(dError), worst gradient \(worst), "
                  + "norm \(norm) (torch \(torchNorm))")
        }
    }

    /// Clipping, AdamW and the moving average applied to PyTorch's own gradients give PyTorch's weights: the same
    /// float32 arithmetic on the same inputs, apart from the clipping factor (float64 here, float32 in PyTorch, 1e-7
    /// apart); tolerance 4 ulps of each weight plus 1e-5 of the summed learning rates.
    func testOptimiserOnTorchGradientsMatchesPyTorch() throws {
        let task = try GoldenBatches(setup, golden: golden)
        let options = setup.options
        var p = try weights(task, "param.")
        var adam = options.optimizer.makeState(for: p)
        var ema = ExponentialMovingAverage<UNet.Parameters>(decay: options.emaDecay)
        var rateSum = 0.0
        for step in 1...2 {
            var g = try weights(task, "grad\(step).")
            GradientClipping.clip(&g, maxNorm: options.gradientClip!)
            let rate = options.schedule.rate(at: step)
            rateSum += rate
            options.optimizer.step(&p, gradients: g, state: &adam, learningRate: rate)
            ema.update(with: p)
            try compare(p, "after\(step).", tolerance: { 4 * $0.ulp + Float(1e-5 * rateSum) }, what: "step \(step) weights")
        }
        try compare(try XCTUnwrap(ema.average), "ema.", tolerance: { 4 * $0.ulp + Float(1e-5 * rateSum) }, what: "moving average")
    }

    /// The whole step as `wxens train diffusion` runs it (`Trainer` with the task's loss and gradients) against
    /// PyTorch's weights after steps 1 and 2 and its moving average. AdamW's first step moves each weight by about
    /// lr sign(g), so where a gradient is within rounding of zero the two sides may step opposite ways: weights whose
    /// PyTorch gradients are at least 1e-2 of their tensor's largest in both steps (relative gradient error <= 1%
    /// by the test above, and so <= ~2% in AdamW's ratio m / sqrt(v)) must agree within 5% of the summed learning
    /// rates; every other weight (and the key biases, whose gradients are rounding noise next to AdamW's eps) within
    /// AdamW's bound on a step, 2 lr per step.
    func testTrainerStepsMatchPyTorch() throws {
        let task = try GoldenBatches(setup, golden: golden)
        let options = setup.options
        let trainer = try Trainer(task: task, options: options, config: Data(), checkpointPath: nil, quiet: true)
        let initial = try weights(task, "param.")
        var determined: [String: [Bool]] = [:]
        for name in dict(initial).keys {
            let gs = try (1...2).map { try tensor("grad\($0).\(name)").array }
            // The key bias's exact gradient is zero (softmax is invariant to it): rounding noise on both sides.
            let noise = name.hasSuffix(".k.bias")
            determined[name] = gs[0].indices.map { k in !noise && gs.allSatisfy { g in abs(g[k]) >= 1e-2 * g.map(abs).max()! } }
        }
        let tight = determined.values.reduce(0) { $0 + $1.filter { $0 }.count }, all = initial.scalarCount
        XCTAssertGreaterThan(Double(tight), 0.75 * Double(all), "most weights have well-determined gradients (85% here)")

        var rateSum = 0.0
        for step in 1...2 {
            rateSum += options.schedule.rate(at: step)
            let result = try trainer.run(initial: initial, resume: false, stopAfter: step)
            XCTAssertEqual(result.state.step, step)
            let loss = try XCTUnwrap(task.recorded[step]).loss, torchLoss = Double(try tensor("loss\(step)").array[0])
            // Step 2's loss is at the trainer's own weights after step 1, a few sign-ambiguous weights from PyTorch's.
            XCTAssertEqual(loss, torchLoss, accuracy: (step == 1 ? 1e-5 : 1e-4) * torchLoss, "step \(step): loss")
            let r = rateSum
            let stats = try compare(result.parameters, "after\(step).", determined: determined,
                                    tight: Float(0.05 * r), loose: Float(2 * r), what: "step \(step) weights")
            print("SEEDS trainer step \(step) vs PyTorch: loss \(loss) (torch \(torchLoss)); weights: max |wxens - torch| "
                  + "\(stats.tight) over \(tight) well-determined weights, \(stats.loose) over the other \(all - tight); "
                  + "summed lr \(r)")
            if step == 2 {
                let e = try compare(result.average, "ema.", determined: determined, tight: Float(0.05 * r), loose: Float(2 * r),
                                    what: "moving average")
                print("SEEDS trainer moving average vs PyTorch: \(e.tight) well-determined, \(e.loose) other")
            }
        }
    }

    /// Largest |ours - reference| over the largest |reference|: the error relative to the tensor's scale.
    func relativeError(_ ours: [Float], _ reference: [Float]) -> Double {
        var diff = 0.0, scale = 1e-30
        for (a, b) in zip(ours, reference) { diff = max(diff, abs(Double(a) - Double(b))); scale = max(scale, abs(Double(b))) }
        return diff / scale
    }

    /// Checks `p` against the weights under `prefix`, element by element within `tolerance(reference)`.
    func compare(_ p: UNet.Parameters, _ prefix: String, tolerance: (Float) -> Float, what: String) throws {
        var failures = 0
        for (name, ours) in dict(p) {
            let reference = try tensor(prefix + name).array
            for k in reference.indices where !(abs(ours[k] - reference[k]) <= tolerance(abs(reference[k]))) {
                if failures < 5 { XCTFail("\(what): \(name)[\(k)] is \(ours[k]), PyTorch \(reference[k])") }
                failures += 1
            }
        }
        XCTAssertEqual(failures, 0, "\(what): elements outside the tolerance")
    }

    /// Checks `p` against the weights under `prefix` with a `tight` tolerance where `determined`, else `loose`
    /// (each plus 4 ulps of the weight); returns the largest differences of the two groups.
    @discardableResult
    func compare(_ p: UNet.Parameters, _ prefix: String, determined: [String: [Bool]], tight: Float, loose: Float,
                 what: String) throws -> (tight: Float, loose: Float) {
        var worstTight: Float = 0, worstLoose: Float = 0, failures = 0
        for (name, ours) in dict(p) {
            let reference = try tensor(prefix + name).array, sure = try XCTUnwrap(determined[name])
            for k in reference.indices {
                let d = abs(ours[k] - reference[k])
                if sure[k] { worstTight = max(worstTight, d) } else { worstLoose = max(worstLoose, d) }
                if !(d <= (sure[k] ? tight : loose) + 4 * abs(reference[k]).ulp) {
                    if failures < 5 { XCTFail("\(what): \(name)[\(k)] is \(ours[k]), PyTorch \(reference[k])") }
                    failures += 1
                }
            }
        }
        XCTAssertEqual(failures, 0, "\(what): elements outside the tolerance")
        return (worstTight, worstLoose)
    }
}
