import WXCore

extension CRPS {
    /// Points per parallel chunk: fixed, so the work split never depends on the thread count.
    static let chunkPoints = 4096
    /// Lane groups of four points sorted together in a tile.
    static let tileGroups = 16

    /// CRPS at every point of a member-major block: `forecast[m * points + p]`, `observations[p]`.
    ///
    /// Runs over fixed chunks of points with `Parallel.forEach`; each point's value is computed independently,
    /// so the result is bitwise the same at any thread count. Four points are sorted at once with a branch-free
    /// sorting network on SIMD lanes; points with non-finite values take the scalar path of `NaNPolicy`.
    public static func ensemble(forecast: [Double], observations: [Double], members: Int,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try batched(forecast: forecast, observations: observations, members: members, estimator: estimator, nanPolicy: nanPolicy)
    }

    /// CRPS at every point of a member-major Float block (accumulated in Double).
    public static func ensemble(forecast: [Float], observations: [Float], members: Int,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try batched(forecast: forecast, observations: observations, members: members, estimator: estimator, nanPolicy: nanPolicy)
    }

    static func batched<T: VerificationScalar>(forecast: [T], observations: [T], members: Int,
                                               estimator: CRPSEstimator, nanPolicy: NaNPolicy) throws -> [Double] {
        let points = observations.count
        var out = [Double](repeating: 0, count: points)
        try forecast.withUnsafeBufferPointer { f in
            try observations.withUnsafeBufferPointer { o in
                try out.withUnsafeMutableBufferPointer { r in
                    try ensemble(forecast: f, observations: o, members: members, into: r,
                                 estimator: estimator, nanPolicy: nanPolicy)
                }
            }
        }
        return out
    }

    /// CRPS of a member-major block written into `output` (one value per observation).
    public static func ensemble<T: VerificationScalar>(forecast: UnsafeBufferPointer<T>, observations: UnsafeBufferPointer<T>,
                                                       members: Int, into output: UnsafeMutableBufferPointer<Double>,
                                                       estimator: CRPSEstimator = .standard,
                                                       nanPolicy: NaNPolicy = .propagate) throws {
        try estimator.validate()
        let points = observations.count
        guard members >= 1 else {
            throw VerificationError.invalidParameter(name: "members", value: "\(members)", reason: "an ensemble needs at least one member")
        }
        guard forecast.count == members * points else {
            throw VerificationError.sizeMismatch(what: "forecast (members × points = \(members) × \(points))",
                                                 expected: members * points, got: forecast.count)
        }
        guard output.count == points else {
            throw VerificationError.sizeMismatch(what: "output", expected: points, got: output.count)
        }
        if nanPolicy == .raise {
            for i in 0..<forecast.count where !forecast[i].isFinite {
                throw VerificationError.nonFinite(what: "forecast", index: i, value: Double(forecast[i]))
            }
            for i in 0..<points where !observations[i].isFinite {
                throw VerificationError.nonFinite(what: "observations", index: i, value: Double(observations[i]))
            }
        }
        guard points > 0 else { return }
        let network = SortingNetwork(size: members)
        let chunks = (points + chunkPoints - 1) / chunkPoints
        let policy: NaNPolicy = nanPolicy == .raise ? .propagate : nanPolicy
        network.pairs.withUnsafeBufferPointer { net in
            Parallel.forEach(chunks) { c in
                let p0 = c * chunkPoints, p1 = min(points, p0 + chunkPoints)
                chunk(forecast: forecast, observations: observations, members: members, points: points,
                      range: p0..<p1, output: output, network: net, estimator: estimator, nanPolicy: policy)
            }
        }
    }

    @inline(__always)
    static func chunk<T: VerificationScalar>(forecast: UnsafeBufferPointer<T>, observations: UnsafeBufferPointer<T>,
                                             members m: Int, points: Int, range: Range<Int>,
                                             output: UnsafeMutableBufferPointer<Double>, network: UnsafeBufferPointer<Int32>,
                                             estimator: CRPSEstimator, nanPolicy: NaNPolicy) {
        let lanes = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: m)
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: m)
        defer { lanes.deallocate(); scratch.deallocate() }
        let f = forecast.baseAddress!, o = observations.baseAddress!
        let invM = 1 / Double(m)
        let factor = estimator.pairFactor(members: m)
        let pairCount = network.count / 2
        let net = network.baseAddress!
        var p = range.lowerBound
        // Tiles of 16 × 4 points: each member row is read as 512 contiguous bytes, and each comparator of the
        // network is applied to 16 independent lane groups in a row.
        let groups = tileGroups
        let tile = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: m * groups)
        let ys = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: groups)
        let s1s = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: groups)
        let checks = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: groups)
        defer { tile.deallocate(); ys.deallocate(); s1s.deallocate(); checks.deallocate() }
        while p + 4 * groups <= range.upperBound {
            for g in 0..<groups {
                ys[g] = T.load4(o + p + 4 * g)
                s1s[g] = .zero
                checks[g] = .zero
            }
            for i in 0..<m {
                let row = f + i * points + p
                let trow = tile + i * groups
                for g in 0..<groups {
                    let d = T.load4(row + 4 * g) - ys[g]
                    checks[g] += d * 0
                    s1s[g] += d.replacing(with: -d, where: d .< 0)
                    trow[g] = d
                }
            }
            for c in 0..<pairCount {
                let a = tile + Int(net[2 * c]) * groups, b = tile + Int(net[2 * c + 1]) * groups
                for g in 0..<groups {
                    let x = a[g], y = b[g]
                    let swap = y .< x
                    a[g] = x.replacing(with: y, where: swap)
                    b[g] = y.replacing(with: x, where: swap)
                }
            }
            for g in 0..<groups {
                let q = p + 4 * g
                if checks[g] == .zero {
                    var s2 = SIMD4<Double>(repeating: 0)
                    for i in 0..<m { s2 += Double(2 * i - m + 1) * tile[i * groups + g] }
                    let r = s1s[g] * invM - s2 * factor
                    for l in 0..<4 { output[q + l] = r[l] }
                } else {
                    for l in 0..<4 { output[q + l] = scalarPoint(f, o, m, points, q + l, scratch, estimator, nanPolicy) }
                }
            }
            p += 4 * groups
        }
        while p + 4 <= range.upperBound {
            let y = T.load4(o + p)
            var check = SIMD4<Double>(repeating: 0)
            var s1 = SIMD4<Double>(repeating: 0)
            for i in 0..<m {
                let d = T.load4(f + i * points + p) - y
                check += d * 0
                s1 += d.replacing(with: -d, where: d .< 0)
                lanes[i] = d
            }
            if check == SIMD4<Double>(repeating: 0) {
                for c in 0..<pairCount {
                    let i = Int(net[2 * c]), j = Int(net[2 * c + 1])
                    let a = lanes[i], b = lanes[j]
                    let swap = b .< a
                    lanes[i] = a.replacing(with: b, where: swap)
                    lanes[j] = b.replacing(with: a, where: swap)
                }
                var s2 = SIMD4<Double>(repeating: 0)
                for i in 0..<m { s2 += Double(2 * i - m + 1) * lanes[i] }
                let r = s1 * invM - s2 * factor
                for l in 0..<4 { output[p + l] = r[l] }
            } else {
                for l in 0..<4 { output[p + l] = scalarPoint(f, o, m, points, p + l, scratch, estimator, nanPolicy) }
            }
            p += 4
        }
        while p < range.upperBound {
            output[p] = scalarPoint(f, o, m, points, p, scratch, estimator, nanPolicy)
            p += 1
        }
    }

    @inline(__always)
    static func scalarPoint<T: VerificationScalar>(_ f: UnsafePointer<T>, _ o: UnsafePointer<T>, _ m: Int, _ points: Int, _ p: Int,
                                                   _ scratch: UnsafeMutableBufferPointer<Double>,
                                                   _ estimator: CRPSEstimator, _ nanPolicy: NaNPolicy) -> Double {
        for i in 0..<m { scratch[i] = Double(f[i * points + p]) }
        // The policy is never `raise` here, so this cannot throw.
        return (try? crpsOfScratch(scratch, count: m, observation: Double(o[p]), estimator: estimator,
                                   nanPolicy: nanPolicy, what: "forecast", offset: p, stride: points)) ?? .nan
    }
}
