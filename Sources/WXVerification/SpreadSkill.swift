/// Spread and skill of an ensemble as mergeable weighted sums: the MSE of the ensemble mean and the mean
/// ensemble variance (ddof = 1) over the same points.
///
/// spread = √(Σw s² / Σw), RMSE = √(Σw (x̄ − o)² / Σw), ratio = spread / RMSE, and the finite-ensemble corrected
/// ratio √((M + 1)/M) · spread / RMSE, which is 1 for a reliable M-member ensemble. WeatherBench2 convention:
/// average MSE and variance over space and time (merge) before the square roots.
/// Reference: Fortin et al. 2014 (MWR 142, 3197, "Why should ensemble spread match the RMSE of the ensemble mean?");
/// Leutbecher & Palmer 2008 (JCP 227, 3515); Rasp et al. 2024 (WeatherBench 2).
public struct SpreadSkillAccumulator: Codable, Sendable, Equatable {
    /// Ensemble size (fixed for an accumulator).
    public var members: Int
    /// Weighted mean of the squared ensemble-mean error.
    public var squaredError = WeightedMean()
    /// Weighted mean of the ensemble-mean error (bias).
    public var error = WeightedMean()
    /// Weighted mean of the ensemble variance (ddof = 1).
    public var variance = WeightedMean()

    /// An empty accumulator for ensembles of `members` (≥ 2) members.
    public init(members: Int) throws {
        guard members >= 2 else {
            throw VerificationError.invalidParameter(name: "members", value: "\(members)", reason: "spread needs at least two members")
        }
        self.members = members
    }

    /// Adds a member-major block `forecast[m * points + p]` against `observations[p]` with optional weights.
    ///
    /// A point enters all three sums or none: under `omit` points with a NaN observation, or fewer than two
    /// finite members, are skipped (NaN members are dropped); under `propagate` any NaN makes the results NaN.
    public mutating func add<T: VerificationScalar>(forecast: [T], observations: [T], weights: [Double]? = nil,
                                                    nanPolicy: NaNPolicy = .propagate) throws {
        let n = observations.count
        if let w = weights, w.count != n { throw VerificationError.sizeMismatch(what: "weights", expected: n, got: w.count) }
        if nanPolicy == .raise {
            for (i, v) in observations.enumerated() where !v.isFinite {
                throw VerificationError.nonFinite(what: "observations", index: i, value: Double(v))
            }
        }
        let mom = try EnsembleMoments(forecast: forecast, members: members, points: n, nanPolicy: nanPolicy)
        var e = [Double](), e2 = [Double](), v = [Double](), w = [Double]()
        e.reserveCapacity(n); e2.reserveCapacity(n); v.reserveCapacity(n); w.reserveCapacity(n)
        var skipped = 0
        for p in 0..<n {
            let err = mom.mean[p] - Double(observations[p])
            if nanPolicy == .omit && (err.isNaN || mom.variance[p].isNaN) { skipped += 1; continue }
            e.append(err); e2.append(err * err); v.append(mom.variance[p]); w.append(weights?[p] ?? 1)
        }
        try error.add(e, weights: w)
        try squaredError.add(e2, weights: w)
        try variance.add(v, weights: w)
        error.omitted += skipped
        squaredError.omitted += skipped
        variance.omitted += skipped
    }

    /// Adds another accumulator's sums (same ensemble size).
    public mutating func merge(_ other: SpreadSkillAccumulator) throws {
        guard other.members == members else {
            throw VerificationError.incompatibleMerge(what: "ensemble sizes \(members) and \(other.members)")
        }
        squaredError.merge(other.squaredError)
        error.merge(other.error)
        variance.merge(other.variance)
    }

    /// Root mean squared error of the ensemble mean.
    public var rmse: Double { squaredError.mean.squareRoot() }
    /// Mean error of the ensemble mean.
    public var bias: Double { error.mean }
    /// √(mean ensemble variance).
    public var spread: Double { variance.mean.squareRoot() }
    /// spread / RMSE.
    public var ratio: Double { spread / rmse }
    /// √((M + 1)/M) · spread / RMSE.
    public var correctedRatio: Double { (Double(members + 1) / Double(members)).squareRoot() * spread / rmse }
}
