import WXNN

/// The optimisation section of a training file (`training:`), shared by every generator's training configuration.
public struct TrainingSection: Codable, Sendable {
    /// Optimiser steps.
    public var steps: Int
    /// Examples per step.
    public var batchSize: Int
    /// Peak learning rate.
    public var learningRate: Double
    /// Learning rate at the last step (cosine decay).
    public var minimumLearningRate: Double
    /// Steps of linear warm-up.
    public var warmupSteps: Int
    /// AdamW's decoupled weight decay.
    public var weightDecay: Double
    /// Global gradient-norm clip.
    public var gradientClip: Double
    /// Decay of the weights' moving average.
    public var emaDecay: Double
    /// Steps between validation losses.
    public var evaluateEvery: Int
    /// Steps between checkpoints.
    public var checkpointEvery: Int
    /// Refuse to start above this memory (GiB).
    public var maxMemoryGB: Double?

    enum CodingKeys: String, CodingKey {
        case steps
        case batchSize = "batch_size", learningRate = "learning_rate", minimumLearningRate = "minimum_learning_rate"
        case warmupSteps = "warmup_steps", weightDecay = "weight_decay", gradientClip = "gradient_clip"
        case emaDecay = "ema_decay", evaluateEvery = "evaluate_every", checkpointEvery = "checkpoint_every"
        case maxMemoryGB = "max_memory_gb"
    }

    /// The trainer's options for a run seeded with `seed`.
    public func trainerOptions(seed: UInt64) -> TrainerOptions {
        TrainerOptions(steps: steps, batchSize: batchSize,
                       schedule: LearningRateSchedule(peak: learningRate, minimum: minimumLearningRate,
                                                      warmupSteps: warmupSteps, totalSteps: steps),
                       optimizer: AdamW(weightDecay: weightDecay), gradientClip: gradientClip,
                       emaDecay: emaDecay, evaluateEvery: evaluateEvery,
                       checkpointEvery: checkpointEvery, seed: seed,
                       maxMemoryBytes: maxMemoryGB.map { Int($0 * 1_073_741_824) })
    }
}
