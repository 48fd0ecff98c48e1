import Foundation
import WXCore
import WXGenerative
import WXNN

/// `wxens train vae`: reads the truth, computes the normalisation on the training period, trains with WXNN's
/// trainer (resuming from `<output>.training`) and writes the model directory `<output>`.
public enum VAETrainingWorkflow {
    /// Runs the training described by `config`; `stopAfter` ends early (tests).
    @discardableResult
    public static func run(_ config: VAETrainingConfig, quiet: Bool, stopAfter: Int? = nil) throws -> Trainer<VAETrainingTask>.Result {
        let d = config.data
        let series = try TruthSeries.read(d.truth, variables: config.variables)
        let frames = series.times.count
        func range(_ r: [Int], _ field: String) throws -> ClosedRange<Int> {
            guard r.count == 2, r[0] >= 1, r[1] > r[0] + 1, r[1] < frames - 1 else {
                throw ModelConfigError.invalid(field: "data.\(field)",
                    reason: "needs [first, last] with 1 <= first, first + 1 < last, last < \(frames - 1) (\(d.truth) has \(frames) frames)")
            }
            return r[0]...r[1]
        }
        let train = try range(d.trainFrames, "train_frames"), valid = try range(d.validationFrames, "validation_frames")
        guard d.validationEvery >= 1 else { throw ModelConfigError.invalid(field: "data.validation_every", reason: "must be >= 1") }
        let steps = zip(series.times.dropFirst(), series.times).map { $0 - $1 }
        guard let spacing = steps.first, steps.allSatisfy({ abs($0 - spacing) < 1e-6 }), spacing > 0 else {
            throw DiffusionDataError.layout(path: d.truth, variable: "time", detail: "times are not evenly spaced")
        }
        let step = d.stepHours ?? spacing, lag = Int((step / spacing).rounded())
        guard step > 0, lag >= 1, abs(Double(lag) * spacing - step) < 1e-6 else {
            throw ModelConfigError.invalid(field: "data.step_hours",
                reason: "\(step) h is not a positive whole multiple of the \(spacing) h between the times of \(d.truth)")
        }
        let model = try VAEModel(try config.modelConfig(latitudes: series.latitudes, longitudes: series.longitudes, stepHours: step))
        let r = config.loss.steps
        guard train.count > lag * (r + 1), valid.count > lag * (r + 1) else {
            throw ModelConfigError.invalid(field: "loss.rollout_steps",
                                           reason: "\(r) steps of \(lag) frames do not fit in the training and validation periods")
        }
        let initial: VAEModel.Parameters
        let statistics: VAEStatistics
        if let path = config.initialWeights {
            // Fine-tuning keeps the normalisation the weights were trained with.
            let start = try VAEForecaster(checkpoint: path)
            guard start.config.forcings == model.config.forcings else {
                throw ModelConfigError.invalid(field: "model.forcings",
                    reason: "\(path) was trained with forcings \(start.config.forcings.map(\.rawValue)), this configuration names \(model.config.forcings.map(\.rawValue))")
            }
            guard start.config == model.config else {
                throw ModelConfigError.invalid(field: "initial_weights",
                                               reason: "\(path) is another model (variables, grid, step or network sizes differ)")
            }
            (initial, statistics) = (start.parameters, start.statistics)
        } else {
            var rng = Philox(seed: config.seed, purpose: .initialization)
            initial = model.initialParameters(&rng)
            // Statistics use the training frames only (the frame before the first step too, whose increment the inputs hold).
            statistics = VAEStatistics.compute(series, frames: (train.lowerBound - 1)...train.upperBound, variables: config.variables.count,
                                               lag: lag)
        }
        let dates: [CFDateTime] = try model.config.forcings.isEmpty ? [] : series.dates(path: d.truth)
        // A validation rollout ends inside the validation period.
        let task = VAETrainingTask(model: model, statistics: statistics, loss: config.loss, series: series, trainFrames: train,
                                   validationFrames: Array(stride(from: valid.lowerBound + lag, through: valid.upperBound - r * lag,
                                                                  by: d.validationEvery)),
                                   seed: config.seed, lag: lag,
                                   dates: dates)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let configData = try enc.encode(model.config)
        let trainer = try Trainer(task: task, options: config.training.trainerOptions(seed: config.seed), config: configData,
                                  statistics: statistics.tensors, checkpointPath: config.output + ".training",
                                  label: "train vae", quiet: quiet)
        let result = try trainer.run(initial: initial, stopAfter: stopAfter)
        if result.state.step == config.training.steps {
            func dict(_ p: VAEModel.Parameters) -> [String: Tensor] { Dictionary(uniqueKeysWithValues: p.named().map { ($0.name, $0.tensor) }) }
            try Checkpoint(config: configData, weights: dict(result.average), ema: nil, statistics: statistics.tensors)
                .write(to: config.output)
            try AtomicFile.write(try enc.encode(result.state.history), to: URL(fileURLWithPath: config.output + "/history.json"))
        }
        return result
    }
}
