import Foundation
import WXCore
import WXGenerative
import WXNN

/// SEEDS training as a WXNN `TrainingTask`: each example is (init, lead, seed set, target); the target is the
/// residual of another member (GEE) or, with probability `truthWeight`, of the truth at the valid time (GPP);
/// noise levels and noise are drawn per (seed, step, example).
public final class SEEDSTrainingTask: TrainingTask {
    /// The model's configuration.
    public let config: SEEDSConfig
    /// The denoiser.
    public let denoiser: Denoiser
    /// Normalisation.
    public let statistics: SEEDSConditioning
    let block: ReforecastBlock
    let truth: [Float]?
    let validation: [(condition: [Float], target: [Float], lead: Int, sigma: Double)]
    let combos: [SEEDSExamples.Combination]
    let rowWeights: [Double]
    let seed: UInt64

    /// A task on a training block, its statistics, the truth at each (init, lead) [init, lead, V, H, W] for GPP,
    /// and a validation block scored with fixed noise levels.
    public init(config: SEEDSConfig, block: ReforecastBlock, statistics: SEEDSConditioning, truth: [Float]?,
                validationBlock: ReforecastBlock, validationTruth: [Float]?, seed: UInt64) throws {
        self.config = config
        denoiser = Denoiser(net: try UNet(config.unet), preconditioning: EDMPreconditioning(sigmaData: config.sigmaData))
        self.statistics = statistics
        self.block = block
        self.truth = truth
        self.seed = seed
        combos = SEEDSExamples.combinations(members: block.members, seeds: config.seedMembers)
        rowWeights = block.latitudes.map { cos($0 * .pi / 180) }
        var val: [(condition: [Float], target: [Float], lead: Int, sigma: Double)] = []
        let sigmas = [0.05, 0.25, 1, 4]
        let k = config.seedMembers, n = block.stateSize
        for i in 0..<validationBlock.initTimes.count {
            for l in 0..<validationBlock.leadHours.count {
                var seeds: [Float] = []
                for m in 0..<k {
                    let o = validationBlock.offset(init: i, member: m, lead: l)
                    seeds += statistics.anomalies(Array(validationBlock.values[o ..< o + n]), lead: l)
                }
                let (cond, seedMean) = statistics.condition(seedAnomalies: seeds, seeds: k)
                for (j, s) in sigmas.enumerated() {
                    let target: [Float]
                    if config.mode == .gpp, let vt = validationTruth {
                        let o = (i * validationBlock.leadHours.count + l) * n
                        target = Array(vt[o ..< o + n])
                    } else {
                        let o = validationBlock.offset(init: i, member: k + j, lead: l)
                        target = Array(validationBlock.values[o ..< o + n])
                    }
                    let r = statistics.residual(memberAnomalies: statistics.anomalies(target, lead: l), seedMean: seedMean, lead: l)
                    val.append((cond, r, l, s))
                }
            }
        }
        validation = val
    }

    /// Inits x leads x (seed set, target) combinations.
    public var exampleCount: Int { block.initTimes.count * block.leadHours.count * combos.count }

    struct Batch { var noisy: Tensor, condition: Tensor, target: Tensor, sigma: [Double], lead: [Double] }

    func makeBatch(_ examples: [Int], step: Int) -> Batch {
        let nL = block.leadHours.count, nC = combos.count, n = block.stateSize
        var noisy: [Float] = [], cond: [Float] = [], target: [Float] = [], sigma: [Double] = [], lead: [Double] = []
        for e in examples {
            let i = e / (nL * nC), l = (e / nC) % nL, c = combos[e % nC]
            var draw = Philox(seed: seed, purpose: .trainingDraw, index: [UInt64(step), UInt64(e)])
            let s = config.trainingNoise.sigma(draw.nextNormal())
            let useTruth = truth != nil && draw.nextUniform() < config.truthWeight
            var seeds: [Float] = []
            for m in c.seeds {
                let o = block.offset(init: i, member: m, lead: l)
                seeds += statistics.anomalies(Array(block.values[o ..< o + n]), lead: l)
            }
            let (cd, seedMean) = statistics.condition(seedAnomalies: seeds, seeds: c.seeds.count)
            let member: [Float]
            if useTruth, let truth {
                let o = (i * nL + l) * n
                member = Array(truth[o ..< o + n])
            } else {
                let o = block.offset(init: i, member: c.target, lead: l)
                member = Array(block.values[o ..< o + n])
            }
            let r = statistics.residual(memberAnomalies: statistics.anomalies(member, lead: l), seedMean: seedMean, lead: l)
            var eps = [Float](repeating: 0, count: n)
            var noise = Philox(seed: seed, purpose: .trainingNoise, index: [UInt64(step), UInt64(e)])
            eps.withUnsafeMutableBufferPointer { noise.fillNormal($0) }
            noisy += zip(r, eps).map { $0 + Float(s) * $1 }
            cond += cd
            target += r
            sigma.append(s)
            lead.append(block.leadHours[l] / 120)
        }
        let b = examples.count, v = block.variables.count, h = block.latitudes.count, w = block.longitudes.count
        return Batch(noisy: Tensor(shape: [b, v, h, w], values: noisy),
                     condition: Tensor(shape: [b, cond.count / (b * h * w), h, w], values: cond),
                     target: Tensor(shape: [b, v, h, w], values: target), sigma: sigma, lead: lead)
    }

    /// The EDM loss and gradients on `examples` at `step`.
    public func lossAndGradients(_ p: UNet.Parameters, examples: [Int], step: Int) throws -> (loss: Double, gradients: UNet.Parameters) {
        let b = makeBatch(examples, step: step)
        let (d, cache) = try denoiser.forward(b.noisy, sigma: b.sigma, condition: b.condition, leadHours: b.lead, p)
        let (loss, g) = DenoisingLoss.evaluate(denoised: d, target: b.target, sigma: b.sigma, rowWeights: rowWeights,
                                               preconditioning: denoiser.preconditioning)
        return (loss, try denoiser.backward(g, cache, p))
    }

    /// The EDM loss on the validation block at fixed noise levels 0.05, 0.25, 1, 4 with fixed noise.
    public func validationLoss(_ p: UNet.Parameters) throws -> Double {
        let v = block.variables.count, h = block.latitudes.count, w = block.longitudes.count, n = block.stateSize
        var total = 0.0
        let chunk = 8
        for start in stride(from: 0, to: validation.count, by: chunk) {
            let items = validation[start ..< min(start + chunk, validation.count)]
            var noisy: [Float] = []
            for (j, it) in items.enumerated() {
                var g = Philox(seed: 0, purpose: .trainingNoise, index: [UInt64.max, UInt64(start + j)])
                var eps = [Float](repeating: 0, count: n)
                eps.withUnsafeMutableBufferPointer { g.fillNormal($0) }
                noisy += zip(it.target, eps).map { $0 + Float(it.sigma) * $1 }
            }
            let b = items.count
            let cond = Tensor(shape: [b, items.first!.condition.count / (h * w), h, w], values: items.flatMap(\.condition))
            let d = try denoiser.infer(Tensor(shape: [b, v, h, w], values: noisy), sigma: items.map(\.sigma),
                                       condition: cond, leadHours: items.map { block.leadHours[$0.lead] / 120 }, p)
            let (loss, _) = DenoisingLoss.evaluate(denoised: d, target: Tensor(shape: [b, v, h, w], values: items.flatMap(\.target)),
                                                   sigma: items.map(\.sigma), rowWeights: rowWeights,
                                                   preconditioning: denoiser.preconditioning)
            total += loss * Double(b)
        }
        return total / Double(validation.count)
    }

    /// Activation bytes of one batch.
    public func activationBytes(batchSize: Int) throws -> Int {
        let b = makeBatch(Array(0..<min(batchSize, exampleCount)), step: 1)
        var rng = Philox(seed: 0, purpose: .initialization)
        let p = denoiser.net.initialParameters(&rng)
        return try denoiser.forward(b.noisy, sigma: b.sigma, condition: b.condition, leadHours: b.lead, p).1.net.bytes
            * batchSize / max(1, min(batchSize, exampleCount))
    }
}
