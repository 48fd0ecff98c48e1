/// Error statistics of a deterministic forecast (e.g. the ensemble mean), as mergeable weighted sums.
///
/// With errors e_p = f_p − o_p and weights w_p: bias = Σw e / Σw, MSE = Σw e² / Σw, RMSE = √MSE.
/// WeatherBench2 convention: average the MSE over space and time (merge accumulators) before the square root.
/// Reference: Wilks 2011, Statistical Methods in the Atmospheric Sciences, §8.6; Rasp et al. 2024 (WeatherBench 2).
public struct ErrorAccumulator: Codable, Sendable, Equatable {
    /// Weighted mean of f − o.
    public var error = WeightedMean()
    /// Weighted mean of (f − o)².
    public var squaredError = WeightedMean()

    /// An empty accumulator.
    public init() {}

    /// Adds a block of forecasts and observations with optional per-point weights.
    /// Points where f or o is NaN are skipped under `omit` (and make the result NaN under `propagate`).
    public mutating func add(forecast: [Double], observations: [Double], weights: [Double]? = nil,
                             nanPolicy: NaNPolicy = .propagate) throws {
        guard forecast.count == observations.count else {
            throw VerificationError.sizeMismatch(what: "forecast", expected: observations.count, got: forecast.count)
        }
        if let w = weights, w.count != observations.count {
            throw VerificationError.sizeMismatch(what: "weights", expected: observations.count, got: w.count)
        }
        if nanPolicy == .raise {
            for (i, v) in forecast.enumerated() where !v.isFinite { throw VerificationError.nonFinite(what: "forecast", index: i, value: v) }
            for (i, v) in observations.enumerated() where !v.isFinite { throw VerificationError.nonFinite(what: "observations", index: i, value: v) }
        }
        var e = [Double](repeating: 0, count: forecast.count)
        for i in 0..<e.count { e[i] = forecast[i] - observations[i] }
        try error.add(e, weights: weights, nanPolicy: nanPolicy)
        try squaredError.add(e.map { $0 * $0 }, weights: weights, nanPolicy: nanPolicy)
    }

    /// Adds an ensemble block's mean (member-major `forecast[m * points + p]`) against the observations.
    public mutating func add(ensemble forecast: [Double], members: Int, observations: [Double], weights: [Double]? = nil,
                             nanPolicy: NaNPolicy = .propagate) throws {
        let moments = try EnsembleMoments(forecast: forecast, members: members, points: observations.count, nanPolicy: nanPolicy)
        try add(forecast: moments.mean, observations: observations, weights: weights, nanPolicy: nanPolicy == .raise ? .raise : nanPolicy)
    }

    /// Adds another accumulator's sums.
    public mutating func merge(_ other: ErrorAccumulator) {
        error.merge(other.error)
        squaredError.merge(other.squaredError)
    }

    /// Weighted mean error (forecast − observation).
    public var bias: Double { error.mean }
    /// Weighted mean squared error.
    public var mse: Double { squaredError.mean }
    /// Root of the weighted mean squared error.
    public var rmse: Double { squaredError.mean.squareRoot() }
}

/// Anomaly correlation coefficient, uncentred (WeatherBench2): ACC = Σw f′o′ / √(Σw f′² · Σw o′²),
/// with anomalies f′ = f − c, o′ = o − c against a climatology c.
///
/// Reference: Wilks 2011, §8.6.4 (uncentred ACC); Rasp et al. 2024 (WeatherBench 2, `ACC`). The centred form
/// (xskillscore `pearson_r` of anomalies) subtracts the mean anomalies first and differs.
public struct AnomalyCorrelationAccumulator: Codable, Sendable, Equatable {
    /// Σ w f′ o′.
    public var sumProduct = 0.0
    /// Σ w f′².
    public var sumForecastSquares = 0.0
    /// Σ w o′².
    public var sumObservationSquares = 0.0
    /// Points added.
    public var count = 0
    /// Points skipped for NaN under `omit`.
    public var omitted = 0

    /// An empty accumulator.
    public init() {}

    /// Adds a block of forecasts, observations and climatology values with optional weights.
    public mutating func add(forecast: [Double], observations: [Double], climatology: [Double], weights: [Double]? = nil,
                             nanPolicy: NaNPolicy = .propagate) throws {
        let n = observations.count
        guard forecast.count == n else { throw VerificationError.sizeMismatch(what: "forecast", expected: n, got: forecast.count) }
        guard climatology.count == n else { throw VerificationError.sizeMismatch(what: "climatology", expected: n, got: climatology.count) }
        if let w = weights, w.count != n { throw VerificationError.sizeMismatch(what: "weights", expected: n, got: w.count) }
        var sp = 0.0, sf = 0.0, so = 0.0, c = 0, skipped = 0
        for i in 0..<n {
            let f = forecast[i] - climatology[i], o = observations[i] - climatology[i], w = weights?[i] ?? 1
            if !(f.isFinite && o.isFinite) {
                if nanPolicy == .raise {
                    throw VerificationError.nonFinite(what: "forecast/observations/climatology", index: i, value: f.isFinite ? o : f)
                }
                if nanPolicy == .omit && (f.isNaN || o.isNaN) { skipped += 1; continue }
            }
            sp += w * f * o
            sf += w * f * f
            so += w * o * o
            c += 1
        }
        sumProduct += sp
        sumForecastSquares += sf
        sumObservationSquares += so
        count += c
        omitted += skipped
    }

    /// Adds one point's anomalies f − c and o − c with a weight, without a NaN check (a NaN makes the ACC NaN).
    @inline(__always)
    public mutating func accumulate(forecast f: Double, observation o: Double, climatology c: Double, weight w: Double) {
        let fa = f - c, oa = o - c
        sumProduct += w * fa * oa
        sumForecastSquares += w * fa * fa
        sumObservationSquares += w * oa * oa
        count += 1
    }

    /// Adds an ensemble block's mean (member-major) as the forecast.
    public mutating func add(ensemble forecast: [Double], members: Int, observations: [Double], climatology: [Double],
                             weights: [Double]? = nil, nanPolicy: NaNPolicy = .propagate) throws {
        let moments = try EnsembleMoments(forecast: forecast, members: members, points: observations.count, nanPolicy: nanPolicy)
        try add(forecast: moments.mean, observations: observations, climatology: climatology, weights: weights, nanPolicy: nanPolicy)
    }

    /// Adds another accumulator's sums.
    public mutating func merge(_ other: AnomalyCorrelationAccumulator) {
        sumProduct += other.sumProduct
        sumForecastSquares += other.sumForecastSquares
        sumObservationSquares += other.sumObservationSquares
        count += other.count
        omitted += other.omitted
    }

    /// The uncentred anomaly correlation (NaN when nothing was added).
    public var acc: Double { count == 0 ? .nan : sumProduct / (sumForecastSquares * sumObservationSquares).squareRoot() }
}

/// Ensemble mean and spread of member-major blocks.
public enum EnsembleStatistics {
    /// Ensemble mean at every point of `forecast[m * points + p]`.
    public static func mean(forecast: [Double], members: Int, points: Int, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try EnsembleMoments(forecast: forecast, members: members, points: points, nanPolicy: nanPolicy).mean
    }

    /// Ensemble variance with ddof = 1 at every point (NaN where fewer than two members).
    public static func variance(forecast: [Double], members: Int, points: Int, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try EnsembleMoments(forecast: forecast, members: members, points: points, nanPolicy: nanPolicy).variance
    }
}
