import WXCore

extension CRPS {
    /// Points per parallel chunk: fixed, so the work split never depends on the thread count.
    static let chunkPoints = 4096
    /// Bytes a sorted tile may take, so that it stays in the 32 KiB L1 data cache while the network runs over it.
    static let tileBudget = 28 * 1024

    /// CRPS at every point of a member-major block: `forecast[m * points + p]`, `observations[p]`.
    ///
    /// Runs over fixed chunks of points with `Parallel.forEach`; each point's value is computed independently,
    /// so the result is bitwise the same at any thread count. Points are sorted several at once with a branch-free
    /// sorting network on SIMD lanes, then summed in Double in the order of `fromSorted`, so every finite point
    /// gets the same bits as the scalar `ensemble(_:observation:)`; points with non-finite values take the scalar
    /// path of `NaNPolicy`.
    public static func ensemble(forecast: [Double], observations: [Double], members: Int,
                                estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        try batched(forecast: forecast, observations: observations, members: members, estimator: estimator, nanPolicy: nanPolicy)
    }

    /// CRPS at every point of a member-major Float block (sorted in Float, which orders exactly; summed in Double).
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
        guard points > 0, let f = forecast.baseAddress, let o = observations.baseAddress, let out = output.baseAddress else { return }
        let network = SortingNetwork(size: members)
        let chunks = (points + chunkPoints - 1) / chunkPoints
        let policy: NaNPolicy = nanPolicy == .raise ? .propagate : nanPolicy
        network.pairs.withUnsafeBufferPointer { net in
            Parallel.forEach(chunks) { c in
                let range = (c * chunkPoints)..<min(points, (c + 1) * chunkPoints)
                let tiles = CRPSTiles(members: members, points: points, network: net, estimator: estimator, nanPolicy: policy)
                defer { tiles.deallocate() }
                if T.self == Float.self {
                    tiles.run(forecast: UnsafeRawPointer(f).assumingMemoryBound(to: Float.self),
                              observations: UnsafeRawPointer(o).assumingMemoryBound(to: Float.self), range: range, output: out)
                } else if T.self == Double.self {
                    tiles.run(forecast: UnsafeRawPointer(f).assumingMemoryBound(to: Double.self),
                              observations: UnsafeRawPointer(o).assumingMemoryBound(to: Double.self), range: range, output: out)
                } else {
                    for p in range { out[p] = tiles.scalarPoint(f, o, p) }
                }
            }
        }
    }
}
