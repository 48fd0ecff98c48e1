import Foundation

/// Progress of a training run on stderr: one line rewritten in place on a terminal (step, loss, samples/s, ETA),
/// one line per report otherwise (every `interval` seconds and at every evaluation); nothing when quiet.
public final class TrainingProgress: @unchecked Sendable {
    private let enabled: Bool, terminal: Bool
    private let interval: Double
    private var lastPrint = Date.distantPast
    private let label: String

    /// A reporter for a run called `label`; `quiet` silences it, `interval` paces the non-terminal lines.
    public init(label: String, quiet: Bool, interval: Double = 30) {
        self.label = label
        enabled = !quiet
        terminal = isatty(STDERR_FILENO) == 1
        self.interval = interval
    }

    /// Reports step `step` of `total`; `force` prints whatever the pace (evaluations, the end).
    public func report(step: Int, total: Int, loss: Double, validation: Double?, samplesPerSecond: Double, force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        let pace = terminal ? 0.2 : interval
        guard force || now.timeIntervalSince(lastPrint) >= pace else { return }
        lastPrint = now
        let remaining = samplesPerSecond > 0 ? Double(total - step) / samplesPerSecond : 0
        var line = String(format: "%@: step %d/%d  loss %.4f", label, step, total, loss)
        if let validation { line += String(format: "  val %.4f", validation) }
        line += String(format: "  %.2f steps/s  ETA %@", samplesPerSecond, Self.duration(remaining))
        let text = terminal ? "\r" + line + "   " + (step >= total ? "\n" : "") : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// A short "1h02m", "3m05s" or "12s".
    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) }
        if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return "\(t)s"
    }
}
