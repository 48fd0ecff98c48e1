import WXCore

/// What a model brings to the `Trainer`: its loss with gradients on a batch, a validation loss and its memory.
public protocol TrainingTask {
    /// The model's parameters (and gradients).
    associatedtype Parameters: ParameterSet

    /// Number of training examples (one epoch).
    var exampleCount: Int { get }

    /// Mean loss and its gradients over the training examples `examples` at `step` (1-based); every random draw
    /// is keyed by (seed, step, example), never by thread or batch position, so a step is the same bits anywhere.
    func lossAndGradients(_ p: Parameters, examples: [Int], step: Int) throws -> (loss: Double, gradients: Parameters)

    /// The validation loss of `p` (the same value for the same weights).
    func validationLoss(_ p: Parameters) throws -> Double

    /// Bytes the forward pass keeps for the backward pass of one batch of `batchSize` examples.
    func activationBytes(batchSize: Int) throws -> Int
}
