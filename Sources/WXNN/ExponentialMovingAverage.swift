import WXCore

/// An exponential moving average of the weights (torch `optim.swa_utils.AveragedModel` with
/// `get_ema_multi_avg_fn(decay)`): the first update copies the weights, each later one does
/// ema <- ema + (1 - decay)(p - ema) (`torch.lerp`), in float32.
public struct ExponentialMovingAverage<P: ParameterSet>: Sendable {
    /// The decay per update.
    public let decay: Double
    /// The averaged weights (nil before the first update).
    public private(set) var average: P?
    /// Updates so far.
    public private(set) var updates: Int

    /// An empty average with `decay`.
    public init(decay: Double) {
        self.decay = decay
        average = nil
        updates = 0
    }

    /// An average restored from a checkpoint.
    public init(decay: Double, average: P, updates: Int) {
        self.decay = decay
        self.average = average
        self.updates = updates
    }

    /// Folds the current weights in.
    public mutating func update(with p: P) {
        updates += 1
        guard var avg = average else {
            average = p.deepCopy()
            return
        }
        let w = Float(1 - decay)
        let current = p.tensors
        var i = 0
        avg.visit("") { _, t in
            current[i].withUnsafeBufferPointer { c in
                t.withUnsafeMutableBufferPointer { a in for k in 0..<a.count { a[k] += w * (c[k] - a[k]) } }
            }
            i += 1
        }
        average = avg
    }
}
