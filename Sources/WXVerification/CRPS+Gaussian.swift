import Foundation

extension CRPS {
    /// CRPS of a normal distribution N(μ, σ²) against y: σ·[z(2Φ(z) − 1) + 2φ(z) − 1/√π], z = (y − μ)/σ.
    ///
    /// Reference: Gneiting, Raftery, Westveld & Goldman 2005 (MWR 133, 1098), eq. 5; scoringrules `crps_normal`,
    /// properscoring `crps_gaussian`. σ ≤ 0 or non-finite σ throws `invalidParameter` (the libraries return a negated
    /// or NaN value instead). A NaN μ or y gives NaN; an infinite y gives +Inf.
    public static func gaussian(mean mu: Double, sd sigma: Double, observation y: Double) throws -> Double {
        guard sigma > 0, sigma.isFinite else {
            throw VerificationError.invalidParameter(name: "sd", value: "\(sigma)", reason: "the standard deviation must be finite and > 0")
        }
        return gaussianUnchecked(mu, sigma, y)
    }

    /// Gaussian CRPS at every point (`means`, `sds`, `observations` of equal length).
    public static func gaussian(means: [Double], sds: [Double], observations: [Double]) throws -> [Double] {
        guard means.count == observations.count else {
            throw VerificationError.sizeMismatch(what: "means", expected: observations.count, got: means.count)
        }
        guard sds.count == observations.count else {
            throw VerificationError.sizeMismatch(what: "sds", expected: observations.count, got: sds.count)
        }
        for (i, s) in sds.enumerated() where !(s > 0 && s.isFinite) {
            throw VerificationError.invalidParameter(name: "sds[\(i)]", value: "\(s)", reason: "the standard deviation must be finite and > 0")
        }
        return (0..<observations.count).map { gaussianUnchecked(means[$0], sds[$0], observations[$0]) }
    }

    @inline(__always)
    static func gaussianUnchecked(_ mu: Double, _ sigma: Double, _ y: Double) -> Double {
        if y.isInfinite && mu.isFinite { return .infinity }
        let z = (y - mu) / sigma
        let pdf = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
        return sigma * (z * erf(z / 2.0.squareRoot()) + 2 * pdf - 1 / Double.pi.squareRoot())
    }
}
