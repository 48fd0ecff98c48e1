import Foundation

/// Progress of a long run (items done, rate, ETA) on stderr, only when stderr is a terminal and not silenced.
public final class VerifyProgress: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let unit: String
    private let enabled: Bool
    private let start = Date()
    private var done = 0
    private var lastPrint = Date.distantPast

    /// A reporter for `total` items called `unit`; `quiet` or a non-terminal stderr turn it off.
    public init(label: String, total: Int, quiet: Bool, unit: String = "blocks") {
        self.label = label
        self.unit = unit
        self.total = total
        self.enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Records `n` more items done.
    public func advance(_ n: Int = 1) {
        done += n
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastPrint) > 0.2 || done >= total else { return }
        lastPrint = now
        let el = now.timeIntervalSince(start)
        let rate = el > 0 ? Double(done) / el : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "\r%@: %d/%d %@, %.2f %@/s, ETA %.0f s   ", label, done, total, unit, rate, unit, eta)
        FileHandle.standardError.write(Data(line.utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
