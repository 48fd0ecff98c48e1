import Foundation

/// The learning rate at each step: linear warm-up from 0 to `peak` over `warmupSteps`, then cosine or linear decay
/// to `minimum` at `totalSteps` (or constant). Steps count from 1:
/// warm-up lr = peak s / W; cosine lr = min + (peak - min) (1 + cos(pi q)) / 2, linear lr = peak - (peak - min) q,
/// q = (s - W) / (T - W).
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    /// How the rate decays after warm-up.
    public enum Decay: String, Codable, Sendable { case cosine, linear, constant }

    /// Rate after warm-up.
    public var peak: Double
    /// Rate at the last step.
    public var minimum: Double
    /// Steps of linear warm-up.
    public var warmupSteps: Int
    /// Steps in all.
    public var totalSteps: Int
    /// The decay after warm-up.
    public var decay: Decay

    /// A schedule.
    public init(peak: Double, minimum: Double = 0, warmupSteps: Int = 0, totalSteps: Int, decay: Decay = .cosine) {
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.decay = decay
    }

    /// The rate at `step` (1-based).
    public func rate(at step: Int) -> Double {
        if step <= warmupSteps { return peak * Double(step) / Double(max(warmupSteps, 1)) }
        let span = max(totalSteps - warmupSteps, 1)
        let q = min(1, Double(step - warmupSteps) / Double(span))
        switch decay {
        case .constant: return peak
        case .linear: return peak - (peak - minimum) * q
        case .cosine: return minimum + (peak - minimum) * (1 + cos(Double.pi * q)) / 2
        }
    }
}
