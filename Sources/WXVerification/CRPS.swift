/// Which finite-ensemble estimator of the CRPS to use.
///
/// With the members x_1..x_M, the observation y and G = Σ_ij |x_i − x_j|:
/// - `standard`: CRPS of the empirical CDF, (1/M)Σ|x_i − y| − G/(2M²) (scoringrules `nrg`, properscoring).
/// - `fair`: (1/M)Σ|x_i − y| − G/(2M(M−1)), unbiased for the CRPS of the distribution the members are drawn from
///   (Ferro 2014, QJRMS 140, 1917; scoringrules `fair`/`pwm`, WeatherBench2's CRPS). NaN for M = 1.
/// - `adjusted(ensembleSize: R)`: the expected CRPS an ensemble of size R from the same distribution would get,
///   (1/M)Σ|x_i − y| − (1 − 1/R)·G/(2M(M−1)) (Ferro 2014, eq. for CRPS_R; R = M gives `standard`, R → ∞ `fair`).
public enum CRPSEstimator: Hashable, Codable, Sendable {
    /// Empirical-CDF CRPS (scoringrules `nrg`).
    case standard
    /// Fair CRPS (Ferro 2014; scoringrules `fair`).
    case fair
    /// CRPS adjusted to an ensemble of `ensembleSize` members (Ferro 2014).
    case adjusted(ensembleSize: Int)

    /// The factor multiplying S = Σ_i (2i − M − 1) x_(i) = G/2 for an ensemble of m members.
    @inline(__always)
    func pairFactor(members m: Int) -> Double {
        let md = Double(m)
        switch self {
        case .standard: return 1 / (md * md)
        case .fair: return 1 / (md * (md - 1))
        case let .adjusted(r):
            if r == m { return 1 / (md * md) }
            return (1 - 1 / Double(r)) / (md * (md - 1))
        }
    }

    func validate() throws {
        if case let .adjusted(r) = self, r < 1 {
            throw VerificationError.invalidParameter(name: "ensembleSize", value: "\(r)", reason: "must be at least 1")
        }
    }
}

/// Continuous ranked probability score of ensembles: CRPS(F, y) = ∫ (F(z) − 1{y ≤ z})² dz.
///
/// Computed in O(M log M) per point: the members are shifted by the observation (d_i = x_i − y, exact for
/// nearby values, so large offsets lose no precision), sorted, and Σ_ij |d_i − d_j| = 2 Σ_i (2i − M − 1) d_(i).
/// Reference: Gneiting & Raftery 2007 (JASA 102, 359), Ferro 2014 (QJRMS 140, 1917); matches scoringrules 0.11
/// `crps_ensemble` (nrg, fair) and properscoring `crps_ensemble`. Non-finite inputs follow `NaNPolicy`.
public enum CRPS {
    /// CRPS of one ensemble `members` against `observation`.
    public static func ensemble(_ members: [Double], observation: Double,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> Double {
        try estimator.validate()
        return try members.withUnsafeBufferPointer { try ensemblePoint($0, observation: observation, estimator: estimator, nanPolicy: nanPolicy) }
    }

    /// CRPS of one ensemble of Float members (accumulated in Double).
    public static func ensemble(_ members: [Float], observation: Float,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> Double {
        try estimator.validate()
        return try members.withUnsafeBufferPointer {
            try ensemblePoint($0, observation: Double(observation), estimator: estimator, nanPolicy: nanPolicy)
        }
    }

    static func ensemblePoint<T: BinaryFloatingPoint>(_ members: UnsafeBufferPointer<T>, observation: Double,
                                                     estimator: CRPSEstimator, nanPolicy: NaNPolicy) throws -> Double {
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(members.count, 1))
        defer { scratch.deallocate() }
        for i in 0..<members.count { scratch[i] = Double(members[i]) }
        return try crpsOfScratch(scratch, count: members.count, observation: observation,
                                 estimator: estimator, nanPolicy: nanPolicy, what: "forecast", offset: 0, stride: 1)
    }

    /// CRPS of the `count` raw member values in `scratch` (overwritten). `offset`/`stride` only name indices in errors.
    static func crpsOfScratch(_ scratch: UnsafeMutableBufferPointer<Double>, count: Int, observation y: Double,
                              estimator: CRPSEstimator, nanPolicy: NaNPolicy,
                              what: String, offset: Int, stride: Int) throws -> Double {
        if nanPolicy == .raise {
            if !y.isFinite { throw VerificationError.nonFinite(what: "observation", index: offset / max(stride, 1), value: y) }
            for i in 0..<count where !scratch[i].isFinite {
                throw VerificationError.nonFinite(what: what, index: offset + i * stride, value: scratch[i])
            }
        }
        if y.isNaN { return .nan }
        var m = 0
        var infinite = false
        for i in 0..<count {
            let v = scratch[i]
            if v.isNaN {
                if nanPolicy == .propagate { return .nan }
                continue
            }
            if v.isInfinite { infinite = true }
            scratch[m] = v
            m += 1
        }
        if m == 0 || infinite { return .nan }
        if y.isInfinite { return .infinity }
        let d = UnsafeMutableBufferPointer(rebasing: scratch[0..<m])
        for i in 0..<m { d[i] -= y }
        sortFinite(d)
        return sortedSum(UnsafeBufferPointer(d), estimator: estimator)
    }

    /// The CRPS from sorted, finite, observation-shifted members.
    @inline(__always)
    static func sortedSum(_ d: UnsafeBufferPointer<Double>, estimator: CRPSEstimator) -> Double {
        fromSorted(d, observation: 0, estimator: estimator)
    }

    /// CRPS of one point from its finite members already sorted ascending, against a finite observation (NaN for no members).
    ///
    /// Uses the sorted-form identity Σ_ij |x_i − x_j| = 2 Σ_i (2i − M − 1) x_(i) with every member shifted by the
    /// observation, so a caller that sorts a point's members once (e.g. also for ranks or event counts) can get every
    /// estimator from that one sort. Sorting and NaN handling are the caller's; `ensemble` does both.
    @inline(__always)
    public static func fromSorted(_ sorted: UnsafeBufferPointer<Double>, observation y: Double,
                                  estimator: CRPSEstimator = .standard) -> Double {
        let m = sorted.count
        guard m > 0 else { return .nan }
        var s1 = 0.0, s2 = 0.0
        for i in 0..<m {
            let d = sorted[i] - y
            s1 += abs(d)
            s2 += Double(2 * i - m + 1) * d
        }
        return s1 / Double(m) - s2 * estimator.pairFactor(members: m)
    }

    /// Sorts finite values: insertion sort for small ensembles, the standard library's sort otherwise.
    @inline(__always)
    static func sortFinite(_ buffer: UnsafeMutableBufferPointer<Double>) {
        var d = buffer
        let m = d.count
        if m <= 24 {
            var i = 1
            while i < m {
                let v = d[i]
                var j = i - 1
                while j >= 0 && d[j] > v { d[j + 1] = d[j]; j -= 1 }
                d[j + 1] = v
                i += 1
            }
        } else {
            d.sort()
        }
    }
}
