import WXCore

/// The loss of multi-step fine-tuning: L = (1/R) sum_r fCRPS((s_r - x_t) / incrementStd, (x_{t+r} - x_t) / incrementStd),
/// the fair CRPS (`FairCRPSLoss`) of the K trajectories of each example at every step r of an R-step rollout, in the
/// units of the one-step loss (departures from the initial state over the increment's climatological spread).
public enum VAERolloutLoss {
    /// The loss and dL/ds_r (physical units) for states s_r [N * K, V, H, W] (example n's member k at row n * K + k),
    /// the initial states x_t [N, V, H, W] and the true states x_{t+r} [N, V, H, W].
    public static func evaluate(states: [[Float]], initial: [Float], truth: [[Float]], members k: Int,
                                statistics: VAEStatistics, height h: Int, width w: Int, rowWeights: [Double],
                                variableWeights: [Double]? = nil) -> (loss: Double, gradients: [[Float]]) {
        precondition(states.count == truth.count && !states.isEmpty, "VAERolloutLoss: one truth per step")
        let v = statistics.mean.count, plane = h * w, n = initial.count / (v * plane), steps = Double(states.count)
        let target = { (x: [Float]) in
            statistics.increment(next: x, current: initial, batch: n, height: h, width: w)
        }
        let block = v * plane
        var repeatedInitial = [Float](repeating: 0, count: n * k * block)
        for r in 0..<(n * k) {
            let src = (r / k) * block
            for q in 0..<block { repeatedInitial[r * block + q] = initial[src + q] }
        }
        var total = 0.0, grads: [[Float]] = []
        for (s, x) in zip(states, truth) {
            let members = statistics.increment(next: s, current: repeatedInitial, batch: n * k, height: h, width: w)
                .reshaped([n, k, v, h, w])
            let (loss, g) = FairCRPSLoss.evaluate(members: members, target: target(x), rowWeights: rowWeights,
                                                  variableWeights: variableWeights)
            total += loss / steps
            var gs = g.array
            for row in 0..<(n * k * v) {
                let scale = 1 / (Float(steps) * statistics.incrementStd[row % v])
                for q in row * plane ..< (row + 1) * plane { gs[q] *= scale }
            }
            grads.append(gs)
        }
        return (total, grads)
    }
}
