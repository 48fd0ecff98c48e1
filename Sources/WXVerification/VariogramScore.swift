import Foundation

/// Variogram score of order p: VS = Σ_ij w_ij (|y_i − y_j|^p − (1/M)Σ_m |x_mi − x_mj|^p)² (`standard`), and the
/// fair form (1/M)Σ_m Σ_ij w_ij (ρ_m,ij − ρ_y,ij)² − 1/(2M(M−1)) Σ_{m≠m′} Σ_ij w_ij (ρ_m,ij − ρ_m′,ij)²
/// with ρ_m,ij = |x_mi − x_mj|^p.
///
/// Reference: Scheuerer & Hamill 2015 (MWR 143, 1321); matches scoringrules `vs_ensemble` (nrg, fair).
/// Non-finite input follows `NaNPolicy` (`omit` drops members with any NaN component).
public enum VariogramScore {
    /// VS at every point of a member-major block with components (layout as `EnergyScore`), with order `p` and
    /// optional pair weights `weights[i * components + j]` (default all 1). `estimator` is `.standard` or `.fair`.
    public static func ensemble(forecast: [Double], observations: [Double], members: Int, components: Int,
                                order p: Double = 0.5, weights: [Double]? = nil,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try block(forecast: forecast, observations: observations, members: members, components: components,
                  order: p, weights: weights, estimator: estimator, nanPolicy: nanPolicy)
    }

    /// VS at every point of a member-major Float block (layout and options as the Double form; computed in Double).
    public static func ensemble(forecast: [Float], observations: [Float], members: Int, components: Int,
                                order p: Double = 0.5, weights: [Double]? = nil,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try block(forecast: forecast, observations: observations, members: members, components: components,
                  order: p, weights: weights, estimator: estimator, nanPolicy: nanPolicy)
    }

    static func block<T: VerificationScalar>(forecast: [T], observations: [T], members: Int, components: Int,
                                             order p: Double, weights: [Double]?,
                                             estimator: CRPSEstimator, nanPolicy: NaNPolicy) throws -> [Double] {
        if case .adjusted = estimator {
            throw VerificationError.invalidParameter(name: "estimator", value: "\(estimator)", reason: "the variogram score has standard and fair estimators only")
        }
        guard p > 0, p.isFinite else {
            throw VerificationError.invalidParameter(name: "order", value: "\(p)", reason: "must be finite and > 0")
        }
        let d = components
        let w = weights ?? [Double](repeating: 1, count: d * d)
        guard w.count == d * d else { throw VerificationError.sizeMismatch(what: "weights (components²)", expected: d * d, got: w.count) }
        let points = try MultivariateLayout.check(forecast: forecast.count, observations: observations.count, members: members,
                                                  components: d, nanPolicy: nanPolicy,
                                                  forecastValues: forecast, observationValues: observations)
        let fair = estimator == .fair
        return MultivariateLayout.map(forecast: forecast, observations: observations, members: members, components: d,
                                      points: points, nanPolicy: nanPolicy) { x, y, m in
            let md = Double(m)
            var total = 0.0
            // Pairs (i, j) and (j, i) contribute equally and the diagonal is 0.
            for i in 0..<d {
                for j in (i + 1)..<max(i + 1, d) {
                    let wij = w[i * d + j] + w[j * d + i]
                    let ry = pow(abs(y[i] - y[j]), p)
                    if fair {
                        var e1 = 0.0, e2 = 0.0
                        for a in 0..<m {
                            let ra = pow(abs(x[a * d + i] - x[a * d + j]), p)
                            e1 += (ra - ry) * (ra - ry)
                            for b in (a + 1)..<max(a + 1, m) {
                                let rb = pow(abs(x[b * d + i] - x[b * d + j]), p)
                                e2 += (ra - rb) * (ra - rb)
                            }
                        }
                        total += wij * (e1 / md - e2 / (md * (md - 1)))
                    } else {
                        var mean = 0.0
                        for a in 0..<m { mean += pow(abs(x[a * d + i] - x[a * d + j]), p) }
                        mean /= md
                        total += wij * (ry - mean) * (ry - mean)
                    }
                }
            }
            return total
        }
    }
}
