import Foundation
import WXCore
import WXGenerative
import WXNN

/// `wxens train diffusion`: reads the blocks, computes the normalisation, trains with WXNN's trainer (resuming from
/// `<output>.training` when it exists) and writes the model directory `<output>` (config, averaged weights, statistics).
public enum SEEDSTrainingWorkflow {
    /// Runs the training described by `config`; `configPath` names it in errors; `stopAfter` ends early (tests).
    @discardableResult
    public static func run(_ config: SEEDSTrainingConfig, quiet: Bool, stopAfter: Int? = nil) throws -> Trainer<SEEDSTrainingTask>.Result {
        let train = try ReforecastBlock.read(config.data.train, variables: config.variables)
        let validation = try ReforecastBlock.read(config.data.validation, variables: config.variables)
        guard validation.latitudes == train.latitudes, validation.longitudes == train.longitudes,
              validation.leadHours == train.leadHours else {
            throw DiffusionDataError.mismatch(path: config.data.validation, detail: "grid or lead times differ from \(config.data.train)")
        }
        guard validation.members >= config.seedMembers + 4, train.members > config.seedMembers else {
            throw DiffusionDataError.mismatch(path: config.data.train,
                detail: "needs more than \(config.seedMembers) members in training and \(config.seedMembers + 4) in validation")
        }
        let model = try config.modelConfig(latitudes: train.latitudes.count, longitudes: train.longitudes.count,
                                           leadHours: train.leadHours)
        let statistics: SEEDSConditioning
        let initial: UNet.Parameters
        if let path = config.initialWeights {
            // Fine-tuning keeps the normalisation the weights were trained with; truth weight, sampler and training
            // noise may change, the network and its data may not.
            let start = try SEEDSGenerator(checkpoint: path)
            var same = start.config
            (same.truthWeight, same.sampler, same.trainingNoise) = (model.truthWeight, model.sampler, model.trainingNoise)
            guard same == model else {
                throw ModelConfigError.invalid(field: "initial_weights",
                                               reason: "\(path) is another model (mode, variables, grid, leads or network sizes differ)")
            }
            (statistics, initial) = (start.statistics, start.parameters)
        } else {
            statistics = SEEDSStatistics.compute(train, seeds: config.seedMembers)
            var rng = Philox(seed: config.seed, purpose: .initialization)
            initial = try UNet(model.unet).initialParameters(&rng)
        }
        var truth: [Float]? = nil, validationTruth: [Float]? = nil
        if config.mode == .gpp {
            guard let path = config.data.truth else {
                throw ModelConfigError.invalid(field: "data.truth", reason: "GPP needs the truth file")
            }
            let series = try TruthSeries.read(path, variables: config.variables)
            truth = try validTimeStates(series, train, truthPath: path)
            validationTruth = try validTimeStates(series, validation, truthPath: path)
        }
        let task = try SEEDSTrainingTask(config: model, block: train, statistics: statistics, truth: truth,
                                         validationBlock: validation, validationTruth: validationTruth, seed: config.seed)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let configData = try enc.encode(model)
        let trainer = try Trainer(task: task, options: config.trainerOptions, config: configData, statistics: statistics.tensors,
                                  checkpointPath: config.output + ".training", label: "train \(config.mode.rawValue)", quiet: quiet)
        let result = try trainer.run(initial: initial, stopAfter: stopAfter)
        if result.state.step == config.training.steps {
            func dict(_ p: UNet.Parameters) -> [String: Tensor] { Dictionary(uniqueKeysWithValues: p.named().map { ($0.name, $0.tensor) }) }
            try Checkpoint(config: configData, weights: dict(result.average), ema: nil, statistics: statistics.tensors)
                .write(to: config.output)
            let history = try enc.encode(result.state.history)
            try AtomicFile.write(history, to: URL(fileURLWithPath: config.output + "/history.json"))
        }
        return result
    }

    /// The truth at every (init, lead) valid time of `block`: [init, lead, V, H, W].
    static func validTimeStates(_ truth: TruthSeries, _ block: ReforecastBlock, truthPath: String) throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(block.initTimes.count * block.leadHours.count * block.stateSize)
        for t in block.initTimes {
            for l in block.leadHours {
                guard let k = truth.index(of: t + l) else {
                    throw DiffusionDataError.mismatch(path: truthPath, detail: "no truth at valid time \(t + l) h")
                }
                out += truth.values[k * truth.stateSize ..< (k + 1) * truth.stateSize]
            }
        }
        return out
    }
}
