/// How a `Trainer` runs: steps, batch, optimiser, schedule, clipping, averaging, evaluation and checkpoints.
public struct TrainerOptions: Codable, Equatable, Sendable {
    /// Optimiser steps in all.
    public var steps: Int
    /// Examples per step.
    public var batchSize: Int
    /// Learning rate at each step.
    public var schedule: LearningRateSchedule
    /// AdamW's constants.
    public var optimizer: AdamW
    /// Clip gradients to this global norm (nil: no clipping).
    public var gradientClip: Double?
    /// Decay of the weights' moving average.
    public var emaDecay: Double
    /// Steps between evaluations (and loss records).
    public var evaluateEvery: Int
    /// Steps between checkpoints (one is always written at the end).
    public var checkpointEvery: Int
    /// The run's seed (data order and every random draw).
    public var seed: UInt64
    /// Refuse to start when parameters, gradients, optimiser state, average and activations would exceed this.
    public var maxMemoryBytes: Int?

    /// Options with the given values.
    public init(steps: Int, batchSize: Int, schedule: LearningRateSchedule, optimizer: AdamW = AdamW(),
                gradientClip: Double? = 1, emaDecay: Double = 0.999, evaluateEvery: Int = 100, checkpointEvery: Int = 500,
                seed: UInt64 = 0, maxMemoryBytes: Int? = nil) {
        self.steps = steps
        self.batchSize = batchSize
        self.schedule = schedule
        self.optimizer = optimizer
        self.gradientClip = gradientClip
        self.emaDecay = emaDecay
        self.evaluateEvery = evaluateEvery
        self.checkpointEvery = checkpointEvery
        self.seed = seed
        self.maxMemoryBytes = maxMemoryBytes
    }
}

/// A training run that cannot start or go on.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The run would need more memory than its cap.
    case memoryCap(neededBytes: Int, capBytes: Int, detail: String)
    /// A checkpoint to resume from was made with another configuration.
    case resumeMismatch(path: String, detail: String)
    /// An option is out of range.
    case invalidOption(name: String, reason: String)
    /// The loss became NaN or infinite.
    case diverged(step: Int, loss: Double)

    /// One readable line.
    public var description: String {
        switch self {
        case let .memoryCap(n, cap, detail):
            return "training needs about \(n / (1 << 20)) MiB (\(detail)), over the cap of \(cap / (1 << 20)) MiB: lower the batch size"
        case let .resumeMismatch(path, detail): return "\(path): cannot resume: \(detail)"
        case let .invalidOption(name, reason): return "\(name): \(reason)"
        case let .diverged(step, loss): return "training diverged at step \(step) (loss \(loss))"
        }
    }
}
