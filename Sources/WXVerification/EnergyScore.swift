/// Energy score of a multivariate ensemble: ES = (1/M)Σ_i ‖x_i − y‖ − c·Σ_ij ‖x_i − x_j‖ (Euclidean norm),
/// c = 1/(2M²) (`standard`), 1/(2M(M−1)) (`fair`), (1 − 1/R)/(2M(M−1)) (`adjusted(ensembleSize: R)`).
///
/// Reference: Gneiting & Raftery 2007 (JASA 102, 359), Gneiting et al. 2008 (TEST 17, 211); matches scoringrules
/// `es_ensemble` (nrg, fair). With one component it equals the CRPS. Non-finite input follows `NaNPolicy`
/// (`omit` drops members with any NaN component).
public enum EnergyScore {
    /// ES at every point of a member-major block with components:
    /// `forecast[(m * components + c) * points + p]`, `observations[c * points + p]`.
    public static func ensemble(forecast: [Double], observations: [Double], members: Int, components: Int,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try block(forecast: forecast, observations: observations, members: members, components: components,
                  estimator: estimator, nanPolicy: nanPolicy)
    }

    /// ES at every point of a member-major Float block (layout as the Double form; computed in Double).
    public static func ensemble(forecast: [Float], observations: [Float], members: Int, components: Int,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try block(forecast: forecast, observations: observations, members: members, components: components,
                  estimator: estimator, nanPolicy: nanPolicy)
    }

    static func block<T: VerificationScalar>(forecast: [T], observations: [T], members: Int, components: Int,
                                             estimator: CRPSEstimator, nanPolicy: NaNPolicy) throws -> [Double] {
        try estimator.validate()
        let points = try MultivariateLayout.check(forecast: forecast.count, observations: observations.count, members: members,
                                                  components: components, nanPolicy: nanPolicy,
                                                  forecastValues: forecast, observationValues: observations)
        let d = components
        return MultivariateLayout.map(forecast: forecast, observations: observations, members: members, components: d,
                                      points: points, nanPolicy: nanPolicy) { x, y, m in
            var a = 0.0, g = 0.0
            for i in 0..<m {
                var s = 0.0
                for c in 0..<d { let t = x[i * d + c] - y[c]; s += t * t }
                a += s.squareRoot()
                for j in (i + 1)..<max(i + 1, m) {
                    var q = 0.0
                    for c in 0..<d { let t = x[i * d + c] - x[j * d + c]; q += t * t }
                    g += q.squareRoot()
                }
            }
            // g is Σ_{i<j}, half of Σ_ij; pairFactor multiplies Σ_ij / 2.
            return a / Double(m) - g * estimator.pairFactor(members: m)
        }
    }

    /// ES of one ensemble: `members[m][c]`, `observation[c]`.
    public static func ensemble(_ members: [[Double]], observation: [Double],
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> Double {
        let d = observation.count
        for (i, row) in members.enumerated() where row.count != d {
            throw VerificationError.sizeMismatch(what: "members[\(i)] (components)", expected: d, got: row.count)
        }
        return try ensemble(forecast: members.flatMap { $0 }, observations: observation, members: members.count,
                            components: d, estimator: estimator, nanPolicy: nanPolicy)[0]
    }
}
