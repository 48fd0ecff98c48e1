import Foundation
import WXCore
import WXGenerative
import WXNN

/// VAE training as a WXNN `TrainingTask`: with the model's step `lag` frames long (1 unless the truth is finer than
/// the step), example e is the step from frame t = first + lag + e of the training period (inputs from t and
/// t - lag, target t + lag); the K members' latent draws come from (seed, step, example).
/// With `loss.rollout_steps` R > 1 (multi-step fine-tuning) example e is the R-step rollout from t, with targets
/// t + lag ... t + R lag, and step r's draws come from (seed, step, example, r).
/// A model with forcings reads them at the date of each step's target frame (`dates`).
public final class VAETrainingTask: TrainingTask {
    /// The model's networks.
    public let model: VAEModel
    /// Normalisation.
    public let statistics: VAEStatistics
    /// The loss options.
    public let loss: VAETrainingConfig.Loss
    let series: TruthSeries
    let trainFrames: ClosedRange<Int>
    let validationFrames: [Int]
    let rowWeights: [Double]
    let seed: UInt64
    /// Frames per model step.
    let lag: Int
    /// The date of every frame of `series` (needed only by a model with forcings).
    let dates: [CFDateTime]

    /// A task on `series`, training on steps inside `trainFrames` and validating at `validationFrames` (each t with
    /// t - lag and t + R lag in the series), the model's step `lag` frames long; `dates` are the frames' date-times,
    /// one per frame when the model has forcings.
    public init(model: VAEModel, statistics: VAEStatistics, loss: VAETrainingConfig.Loss, series: TruthSeries,
                trainFrames: ClosedRange<Int>, validationFrames: [Int], seed: UInt64, lag: Int = 1, dates: [CFDateTime] = []) {
        precondition(lag >= 1, "VAETrainingTask: lag \(lag)")
        precondition(model.config.forcings.isEmpty || dates.count == series.times.count, "VAETrainingTask: one date per frame")
        self.dates = dates
        self.lag = lag
        self.model = model
        self.statistics = statistics
        self.loss = loss
        self.series = series
        self.trainFrames = trainFrames
        self.validationFrames = validationFrames
        rowWeights = series.latitudes.map { cos($0 * .pi / 180) }
        self.seed = seed
    }

    /// Rollouts whose frames (t - lag ... t + R lag) lie in the training period.
    public var exampleCount: Int { trainFrames.count - lag * (1 + loss.steps) }

    /// x_{t + offset} of `frames`, each repeated for the K members ([N * K, V, H, W] flattened).
    func repeatedStates(_ frames: [Int], offset: Int) -> [Float] {
        frames.flatMap { t in (0..<loss.members).flatMap { _ in state(t + offset) } }
    }

    func state(_ t: Int) -> ArraySlice<Float> { series.values[t * series.stateSize ..< (t + 1) * series.stateSize] }

    /// Inputs a and normalised increments y for the steps from frames `frames`.
    func batch(_ frames: [Int]) -> (a: Tensor, y: Tensor) {
        let b = frames.count, h = series.latitudes.count, w = series.longitudes.count
        let cur = frames.flatMap { state($0) }, prev = frames.flatMap { state($0 - lag) }, next = frames.flatMap { state($0 + lag) }
        let forcing = model.config.forcingFields(validTimes: model.config.forcings.isEmpty ? [] : frames.map { dates[$0 + lag] })
        return (statistics.inputs(current: cur, previous: prev, batch: b, latitudes: series.latitudes, longitudes: w, forcing: forcing),
                statistics.increment(next: next, current: cur, batch: b, height: h, width: w))
    }

    /// Standard normal draws [N * K, Z, H, W], example n's from Philox(seed, purpose, index(n)).
    func epsilon(_ n: Int, _ purpose: RandomPurpose, _ index: (Int) -> [UInt64]) -> Tensor {
        let k = loss.members, z = model.config.latentChannels, plane = series.latitudes.count * series.longitudes.count
        var eps = Tensor(zeros: [n * k, z, series.latitudes.count, series.longitudes.count])
        let block = k * z * plane
        eps.withUnsafeMutableBufferPointer { e in
            for i in 0..<n {
                var g = Philox(seed: seed, purpose: purpose, index: index(i))
                g.fillNormal(UnsafeMutableBufferPointer(rebasing: e[i * block ..< (i + 1) * block]))
            }
        }
        return eps
    }

    /// Each rollout step's forcings [N * K, F, H, W] (step r's at the frames t + (r + 1) lag); nil without forcings.
    func rolloutForcing(_ frames: [Int]) -> [Tensor]? {
        guard !model.config.forcings.isEmpty else { return nil }
        return (1...loss.steps).map { r in
            model.config.forcingFields(validTimes: frames.flatMap { t in Array(repeating: dates[t + r * lag], count: loss.members) })!
        }
    }

    /// The rollout loss of the R-step trajectories from `frames` and, when `backward`, its gradients.
    func rollout(_ p: VAEModel.Parameters, frames: [Int], backward: Bool,
                 index: (Int, Int) -> [UInt64]) throws -> (loss: Double, gradients: VAEModel.Parameters?) {
        let r = loss.steps, h = series.latitudes.count, w = series.longitudes.count
        let eps = (0..<r).map { s in epsilon(frames.count, .trainingDraw) { index($0, s) } }
        let (states, cache) = try model.rolloutForward(current: repeatedStates(frames, offset: 0),
                                                       previous: repeatedStates(frames, offset: -lag), epsilon: eps,
                                                       forcing: rolloutForcing(frames), statistics: statistics, p)
        let (value, gStates) = VAERolloutLoss.evaluate(
            states: states, initial: frames.flatMap { state($0) }, truth: (1...r).map { s in frames.flatMap { state($0 + s * lag) } },
            members: loss.members, statistics: statistics, height: h, width: w, rowWeights: rowWeights,
            variableWeights: loss.variableWeights)
        guard backward else { return (value, nil) }
        return (value, try model.rolloutBackward(gStates: gStates, statistics: statistics, cache, p))
    }

    /// The loss and its gradients on `examples` at `step`: CRPS + beta KL of one step, or the R-step rollout's CRPS.
    public func lossAndGradients(_ p: VAEModel.Parameters, examples: [Int], step: Int) throws -> (loss: Double, gradients: VAEModel.Parameters) {
        if loss.steps > 1 {
            let r = try rollout(p, frames: examples.map { trainFrames.lowerBound + lag + $0 }, backward: true) {
                [UInt64(step), UInt64(examples[$0]), UInt64($1)]
            }
            return (r.loss, r.gradients!)
        }
        let (a, y) = batch(examples.map { trainFrames.lowerBound + lag + $0 })
        let eps = epsilon(examples.count, .trainingDraw) { [UInt64(step), UInt64(examples[$0])] }
        let (out, cache) = try model.trainingForward(inputs: a, increment: y, epsilon: eps, members: loss.members,
                                                     source: loss.latent, p)
        let r = VAELoss.evaluate(out, target: y, rowWeights: rowWeights, variableWeights: loss.variableWeights, beta: loss.beta)
        return (r.total, try model.trainingBackward(gMembers: r.gMembers, gLatent: r.gLatent, output: out, cache, p))
    }

    /// The fair CRPS of K members drawn from the prior (as in a forecast) at the validation steps, fixed draws; with
    /// R > 1, that of the R-step rollouts.
    public func validationLoss(_ p: VAEModel.Parameters) throws -> Double {
        var total = 0.0
        let chunk = 8
        for start in stride(from: 0, to: validationFrames.count, by: chunk) {
            let frames = Array(validationFrames[start ..< min(start + chunk, validationFrames.count)])
            if loss.steps > 1 {
                total += try rollout(p, frames: frames, backward: false) { [UInt64.max, UInt64(frames[$0]), UInt64($1)] }.loss
                    * Double(frames.count)
                continue
            }
            let (a, y) = batch(frames)
            let eps = epsilon(frames.count, .trainingDraw) { [UInt64.max, UInt64(frames[$0])] }
            let (out, _) = try model.trainingForward(inputs: a, increment: y, epsilon: eps, members: loss.members, source: .prior, p)
            let (crps, _) = FairCRPSLoss.evaluate(members: out.members, target: y, rowWeights: rowWeights,
                                                  variableWeights: loss.variableWeights)
            total += crps * Double(frames.count)
        }
        return total / Double(max(1, validationFrames.count))
    }

    /// Activation bytes of one batch.
    public func activationBytes(batchSize: Int) throws -> Int {
        let n = min(batchSize, exampleCount)
        if loss.steps > 1 {
            var rng = Philox(seed: 0, purpose: .initialization)
            let frames = (0..<n).map { trainFrames.lowerBound + lag + $0 }
            let eps = (0..<loss.steps).map { _ in epsilon(n, .trainingDraw) { [0, UInt64($0)] } }
            let (_, cache) = try model.rolloutForward(current: repeatedStates(frames, offset: 0),
                                                      previous: repeatedStates(frames, offset: -lag), epsilon: eps,
                                                      forcing: rolloutForcing(frames), statistics: statistics,
                                                      model.initialParameters(&rng))
            return cache.bytes * batchSize / max(1, n)
        }
        let (a, y) = batch((0..<n).map { trainFrames.lowerBound + lag + $0 })
        var rng = Philox(seed: 0, purpose: .initialization)
        let p = model.initialParameters(&rng)
        let eps = epsilon(n, .trainingDraw) { [0, UInt64($0)] }
        let (_, cache) = try model.trainingForward(inputs: a, increment: y, epsilon: eps, members: loss.members, source: loss.latent, p)
        return cache.bytes * batchSize / max(1, n)
    }
}
