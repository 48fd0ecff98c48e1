import WXCore
import WXGenerative

/// The members of one init time rolled out step by step to the lead times.
///
/// Member m's latent draws at step s come from `Philox(seed, .latent, [init hours, m, s])` alone, so a member is the
/// same bits whatever the batch size, the other init times of the run or the thread count.
public enum ForecastRollout {
    /// Values [member, lead, variable, latitude, longitude] of `members` members started from `current` (the state
    /// at the init time `initTime`) and `previous` (one step earlier), recorded after each of `leadSteps` steps
    /// (increasing); `initHours` keys the random streams; `progress` is called with the members of each finished batch.
    public static func run(forecaster: any StepForecaster, current: [Float], previous: [Float], initTime: CFDateTime,
                           initHours: Double, members: Int, leadSteps: [Int], seed: UInt64, batchSize: Int,
                           progress: (Int) -> Void = { _ in }) throws -> [Float] {
        let n = current.count, nL = leadSteps.count
        let initKey = UInt64(bitPattern: Int64(initHours.rounded()))
        guard let lastStep = leadSteps.last, leadSteps[0] > 0, zip(leadSteps, leadSteps.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ForecastError.invalidOption(option: "--lead-times", detail: "steps \(leadSteps) are not positive and increasing")
        }
        guard previous.count == n else {
            throw ForecastError.stepOutput(detail: "the previous state has \(previous.count) values, the current one \(n)")
        }
        guard members > 0, batchSize > 0 else {
            throw ForecastError.invalidOption(option: "--members", detail: "\(members) members in batches of \(batchSize)")
        }
        var out = [Float](repeating: 0, count: members * nL * n)
        for start in stride(from: 0, to: members, by: batchSize) {
            let batch = start ..< min(start + batchSize, members)
            var now = [Float](repeating: 0, count: batch.count * n), before = now
            for b in 0..<batch.count {
                now.replaceSubrange(b * n ..< (b + 1) * n, with: current)
                before.replaceSubrange(b * n ..< (b + 1) * n, with: previous)
            }
            var lead = 0
            for s in 1...lastStep {
                var streams = batch.map { Philox(seed: seed, purpose: .latent, index: [initKey, UInt64($0), UInt64(s)]) }
                let valid = try initTime.adding(seconds: Double(s) * forecaster.stepHours * 3600)
                let next = try forecaster.step(current: now, previous: before, validTime: valid, streams: &streams)
                guard next.count == now.count else {
                    throw ForecastError.stepOutput(detail: "step \(s) returned \(next.count) values for \(batch.count) states of \(n)")
                }
                before = now
                now = next
                while lead < nL, leadSteps[lead] == s {
                    for (b, m) in batch.enumerated() {
                        let o = (m * nL + lead) * n
                        out.replaceSubrange(o ..< o + n, with: now[b * n ..< (b + 1) * n])
                    }
                    lead += 1
                }
            }
            progress(batch.count)
        }
        return out
    }
}
