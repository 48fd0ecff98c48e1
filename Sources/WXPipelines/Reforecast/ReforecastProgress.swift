import Foundation

/// The one progress line of a local run: tasks done / total, members per second, ETA (stderr, terminals only).
final class ReforecastProgress {
    let total: Int, alreadyDone: Int, members: Int, enabled: Bool
    let start = Date()

    init(total: Int, alreadyDone: Int, members: Int, enabled: Bool) {
        self.total = total
        self.alreadyDone = alreadyDone
        self.members = members
        self.enabled = enabled
    }

    /// Redraws the line.
    func show(done: Int) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        let made = Double(max(0, done - alreadyDone) * members)
        let rate = elapsed > 0 ? made / elapsed : 0
        let eta = rate > 0 ? Double((total - done) * members) / rate : .nan
        let line = String(format: "\rreforecast: %d/%d tasks, %.2f members/s, ETA %@   ", done, total, rate,
                          eta.isFinite ? String(format: "%.0f s", eta) : "--")
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Draws the last line and ends it.
    func finish(done: Int) {
        guard enabled else { return }
        show(done: done)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
