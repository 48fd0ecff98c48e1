/// Ensemble mean and variance (ddof = 1) at every point of a member-major block, in two passes for precision.
///
/// Under `omit` NaN members are dropped per point; under `propagate` a NaN member makes the point's mean NaN.
/// The variance is NaN where fewer than two members are left.
struct EnsembleMoments {
    var mean: [Double]
    var variance: [Double]

    init<T: VerificationScalar>(forecast: [T], members: Int, points: Int, nanPolicy: NaNPolicy) throws {
        guard members >= 1 else {
            throw VerificationError.invalidParameter(name: "members", value: "\(members)", reason: "an ensemble needs at least one member")
        }
        guard forecast.count == members * points else {
            throw VerificationError.sizeMismatch(what: "forecast (members × points = \(members) × \(points))", expected: members * points, got: forecast.count)
        }
        if nanPolicy == .raise {
            for (i, v) in forecast.enumerated() where !v.isFinite {
                throw VerificationError.nonFinite(what: "forecast", index: i, value: Double(v))
            }
        }
        var sum = [Double](repeating: 0, count: points)
        var n = [Double](repeating: 0, count: points)
        let omit = nanPolicy == .omit
        for m in 0..<members {
            let base = m * points
            for p in 0..<points {
                let v = Double(forecast[base + p])
                if omit && v.isNaN { continue }
                sum[p] += v
                n[p] += 1
            }
        }
        for p in 0..<points { sum[p] = n[p] > 0 ? sum[p] / n[p] : .nan }
        var ss = [Double](repeating: 0, count: points)
        for m in 0..<members {
            let base = m * points
            for p in 0..<points {
                let v = Double(forecast[base + p])
                if omit && v.isNaN { continue }
                let d = v - sum[p]
                ss[p] += d * d
            }
        }
        for p in 0..<points { ss[p] = n[p] > 1 ? ss[p] / (n[p] - 1) : .nan }
        mean = sum
        variance = ss
    }
}
