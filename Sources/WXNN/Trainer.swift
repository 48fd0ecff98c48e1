import Foundation
import WXCore

/// The training loop shared by every wxens model: batches in a seeded order, loss and gradients from the task,
/// clipping, AdamW, the moving average, evaluations, checkpoints and resume.
///
/// Example order: each epoch is a Fisher-Yates shuffle drawn from `Philox(seed, .dataOrder, [epoch])`, and step s
/// takes positions (s-1)B ..< sB of the concatenated epochs; so the examples of a step, like every draw the task
/// keys by (seed, step, example), depend on the step alone, and a resumed run continues with the same bits.
public final class Trainer<Task: TrainingTask> {
    /// The model and its data.
    public let task: Task
    /// Steps, batch, optimiser and the rest.
    public let options: TrainerOptions
    /// The checkpoint directory (nil: no checkpoints).
    public let checkpointPath: String?
    /// The model's `config.json`, stored in each checkpoint.
    public let config: Data
    /// Normalisation arrays stored in each checkpoint.
    public let statistics: [String: Tensor]
    /// Hash of the configuration and options; a checkpoint made under another one is not resumed.
    public let configHash: String
    private let progress: TrainingProgress
    private var permutations: [Int: [Int]] = [:]

    /// A trainer for `task` writing checkpoints to `checkpointPath`, with progress on stderr unless `quiet`.
    public init(task: Task, options: TrainerOptions, config: Data, statistics: [String: Tensor] = [:],
                checkpointPath: String?, label: String = "train", quiet: Bool = false) throws {
        guard options.steps > 0 else { throw TrainingError.invalidOption(name: "steps", reason: "must be positive, is \(options.steps)") }
        guard options.batchSize > 0 else {
            throw TrainingError.invalidOption(name: "batch_size", reason: "must be positive, is \(options.batchSize)")
        }
        guard task.exampleCount > 0 else { throw TrainingError.invalidOption(name: "examples", reason: "the training set is empty") }
        guard options.evaluateEvery > 0, options.checkpointEvery > 0 else {
            throw TrainingError.invalidOption(name: "evaluate_every/checkpoint_every", reason: "must be positive")
        }
        guard (0..<1).contains(options.emaDecay) else {
            throw TrainingError.invalidOption(name: "ema_decay", reason: "must be in [0, 1), is \(options.emaDecay)")
        }
        self.task = task
        self.options = options
        self.config = config
        self.statistics = statistics
        self.checkpointPath = checkpointPath
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        configHash = Trainer.hash(config + ((try? enc.encode(options)) ?? Data()))
        progress = TrainingProgress(label: label, quiet: quiet)
    }

    /// What a run ends with.
    public struct Result {
        /// The trained weights.
        public var parameters: Task.Parameters
        /// Their moving average (the weights to sample with).
        public var average: Task.Parameters
        /// Counters and loss history.
        public var state: TrainingState
    }

    /// Trains from `initial` (or from the checkpoint, when `resume` and one exists) to `options.steps`, or for at
    /// most `stopAfter` steps of this call (a checkpoint is written where it stops).
    public func run(initial: Task.Parameters, resume: Bool = true, stopAfter: Int? = nil) throws -> Result {
        var p = initial.deepCopy()
        var adam = options.optimizer.makeState(for: p)
        var ema = ExponentialMovingAverage<Task.Parameters>(decay: options.emaDecay)
        var state = TrainingState(step: 0, totalSteps: options.steps, seed: options.seed, configHash: configHash,
                                  emaUpdates: 0, history: [], elapsedSeconds: 0)
        try checkMemory(p)
        if resume, let path = checkpointPath, FileManager.default.fileExists(atPath: path) {
            let ckpt = try Checkpoint.read(path)
            guard let snap = ckpt.training else {
                throw TrainingError.resumeMismatch(path: path, detail: "the checkpoint has no optimiser state")
            }
            guard snap.state.configHash == configHash else {
                throw TrainingError.resumeMismatch(path: path,
                    detail: "it was made with another configuration (hash \(snap.state.configHash), now \(configHash))")
            }
            try p.load(ckpt.weights, source: path + "/" + Checkpoint.File.model)
            try adam.m.load(snap.firstMoment, source: path + "/" + Checkpoint.File.optimizer)
            try adam.v.load(snap.secondMoment, source: path + "/" + Checkpoint.File.optimizer)
            adam.step = snap.state.step
            if let avg = ckpt.ema, snap.state.emaUpdates > 0 {
                var a = p.zeros()
                try a.load(avg, source: path + "/" + Checkpoint.File.ema)
                ema = ExponentialMovingAverage(decay: options.emaDecay, average: a, updates: snap.state.emaUpdates)
            }
            state = snap.state
        }
        let start = Date()
        let elapsedBefore = state.elapsedSeconds
        var lossSum = 0.0, lossCount = 0
        let first = state.step
        let last = min(options.steps, stopAfter.map { first + $0 } ?? options.steps)
        var step = first
        while step < last {
            step += 1
            let examples = batch(step: step)
            var (loss, g) = try task.lossAndGradients(p, examples: examples, step: step)
            guard loss.isFinite else { throw TrainingError.diverged(step: step, loss: loss) }
            if let maxNorm = options.gradientClip { GradientClipping.clip(&g, maxNorm: maxNorm) }
            options.optimizer.step(&p, gradients: g, state: &adam, learningRate: options.schedule.rate(at: step))
            ema.update(with: p)
            lossSum += loss
            lossCount += 1
            state.step = step
            state.emaUpdates = ema.updates
            state.elapsedSeconds = elapsedBefore + Date().timeIntervalSince(start)
            var validation: Double? = nil
            if step % options.evaluateEvery == 0 || step == options.steps {
                let v = try task.validationLoss(ema.average!)
                state.history.append(LossRecord(step: step, training: lossSum / Double(lossCount), validation: v))
                validation = v
                lossSum = 0
                lossCount = 0
            }
            let rate = Double(step - first) / max(Date().timeIntervalSince(start), 1e-9)
            progress.report(step: step, total: options.steps, loss: loss, validation: validation, samplesPerSecond: rate,
                            force: validation != nil)
            if step % options.checkpointEvery == 0 || step == last {
                try writeCheckpoint(p, adam: adam, ema: ema, state: state)
            }
        }
        return Result(parameters: p, average: ema.average ?? p.deepCopy(), state: state)
    }

    /// The training examples of step `step` (1-based).
    public func batch(step: Int) -> [Int] {
        let n = task.exampleCount
        return (0..<options.batchSize).map { j in
            let position = (step - 1) * options.batchSize + j
            return permutation(epoch: position / n)[position % n]
        }
    }

    private func permutation(epoch: Int) -> [Int] {
        if let p = permutations[epoch] { return p }
        var order = Array(0..<task.exampleCount)
        var rng = Philox(seed: options.seed, purpose: .dataOrder, index: [UInt64(epoch)])
        if order.count > 1 {
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        permutations = [epoch: order]
        return order
    }

    private func checkMemory(_ p: Task.Parameters) throws {
        guard let cap = options.maxMemoryBytes else { return }
        let weights = 4 * p.scalarCount
        let activations = try task.activationBytes(batchSize: options.batchSize)
        let needed = 5 * weights + activations
        if needed > cap {
            throw TrainingError.memoryCap(neededBytes: needed, capBytes: cap,
                detail: "weights, gradients, two moments and average \(5 * weights >> 20) MiB, activations \(activations >> 20) MiB")
        }
    }

    private func writeCheckpoint(_ p: Task.Parameters, adam: AdamW.State<Task.Parameters>,
                                 ema: ExponentialMovingAverage<Task.Parameters>, state: TrainingState) throws {
        guard let path = checkpointPath else { return }
        func dict(_ s: Task.Parameters) -> [String: Tensor] {
            Dictionary(uniqueKeysWithValues: s.named().map { ($0.name, $0.tensor) })
        }
        let snapshot = TrainingSnapshot(state: state, firstMoment: dict(adam.m), secondMoment: dict(adam.v))
        try Checkpoint(config: config, weights: dict(p), ema: ema.average.map(dict), statistics: statistics,
                       training: snapshot).write(to: path)
    }

    /// FNV-1a 64 of `data`, as 16 hex digits.
    static func hash(_ data: Data) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return String(format: "%016llx", h)
    }
}
