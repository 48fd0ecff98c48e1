import Foundation

/// A weight function w(z) on the outcome axis, given by its chaining function v with v′ = w (Allen et al. 2023).
public enum ThresholdWeight: Hashable, Codable, Sendable {
    /// w(z) = 1{z > t}: v(z) = max(z, t) (upper tail; equal to 1{z ≥ t} since v(t) = t either way).
    case above(Double)
    /// w(z) = 1{z < t}: v(z) = min(z, t) (lower tail).
    case below(Double)
    /// w(z) = 1{a < z < b}: v(z) = min(max(z, a), b) (scoringrules' default chaining with `a`, `b`).
    case interval(lower: Double, upper: Double)
    /// w(z) = Φ((z − μ)/σ): v(z) = (z − μ)Φ((z − μ)/σ) + σφ((z − μ)/σ) (a smooth upper-tail weight).
    case gaussianCDF(location: Double, scale: Double)
    /// w(z) rising linearly from 0 at a to 1 at b: v(z) = a for z ≤ a, a + (z − a)²/(2(b − a)) on [a, b],
    /// a + (b − a)/2 + (z − b) above b.
    case ramp(lower: Double, upper: Double)

    /// The chaining function v(z).
    @inline(__always)
    public func chain(_ z: Double) -> Double {
        if z.isNaN { return z }
        switch self {
        case let .above(t): return Swift.max(z, t)
        case let .below(t): return Swift.min(z, t)
        case let .interval(a, b): return Swift.min(Swift.max(z, a), b)
        case let .gaussianCDF(mu, s):
            if z == .infinity { return .infinity }
            if z == -.infinity { return 0 }
            let u = (z - mu) / s
            return (z - mu) * 0.5 * erfc(-u / 2.0.squareRoot()) + s * exp(-0.5 * u * u) / (2 * Double.pi).squareRoot()
        case let .ramp(a, b):
            if z <= a { return a }
            if z >= b { return a + (b - a) / 2 + (z - b) }
            return a + (z - a) * (z - a) / (2 * (b - a))
        }
    }

    func validate() throws {
        switch self {
        case let .above(t), let .below(t):
            guard !t.isNaN else { throw VerificationError.invalidParameter(name: "threshold", value: "\(t)", reason: "must not be NaN") }
        case let .interval(a, b), let .ramp(a, b):
            guard a < b else { throw VerificationError.invalidParameter(name: "lower, upper", value: "\(a), \(b)", reason: "lower must be below upper") }
        case let .gaussianCDF(mu, s):
            guard mu.isFinite, s > 0, s.isFinite else {
                throw VerificationError.invalidParameter(name: "location, scale", value: "\(mu), \(s)", reason: "need a finite location and a finite scale > 0")
            }
        }
    }
}

/// Threshold-weighted CRPS: twCRPS(F, y) = ∫ (F(z) − 1{y ≤ z})² w(z) dz, the CRPS of v(x_i) against v(y).
///
/// Reference: Gneiting & Ranjan 2011 (JBES 29, 411); Allen, Ginsbourger & Ziegel 2023 (SIAM/ASA JUQ 11, 396) for the
/// chaining-function form; matches scoringrules `twcrps_ensemble` (with `v_func`) and scores `tail_tw_crps_for_ensemble`.
public enum ThresholdWeightedCRPS {
    /// twCRPS of one ensemble.
    public static func ensemble(_ members: [Double], observation: Double, weight: ThresholdWeight,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> Double {
        try weight.validate()
        return try CRPS.ensemble(members.map(weight.chain), observation: weight.chain(observation), estimator: estimator, nanPolicy: nanPolicy)
    }

    /// twCRPS at every point of a member-major block (`forecast[m * points + p]`, `observations[p]`).
    public static func ensemble(forecast: [Double], observations: [Double], members: Int, weight: ThresholdWeight,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try weight.validate()
        if nanPolicy == .raise {
            for (i, v) in forecast.enumerated() where !v.isFinite { throw VerificationError.nonFinite(what: "forecast", index: i, value: v) }
            for (i, v) in observations.enumerated() where !v.isFinite { throw VerificationError.nonFinite(what: "observations", index: i, value: v) }
        }
        return try CRPS.ensemble(forecast: forecast.map(weight.chain), observations: observations.map(weight.chain),
                                 members: members, estimator: estimator, nanPolicy: nanPolicy)
    }
}
