import WXCore

/// Shared gathering for multivariate ensemble scores over a member-major block with components.
///
/// Layout: `forecast[(m * components + c) * points + p]` (as files store (member, component, lat, lon) blocks),
/// `observations[c * points + p]`.
enum MultivariateLayout {
    static let chunkPoints = 256

    static func check<T: VerificationScalar>(forecast: Int, observations: Int, members: Int, components: Int, nanPolicy: NaNPolicy,
                                             forecastValues: [T], observationValues: [T]) throws -> Int {
        guard members >= 1 else {
            throw VerificationError.invalidParameter(name: "members", value: "\(members)", reason: "an ensemble needs at least one member")
        }
        guard components >= 1 else {
            throw VerificationError.invalidParameter(name: "components", value: "\(components)", reason: "need at least one component")
        }
        guard observations % components == 0 else {
            throw VerificationError.sizeMismatch(what: "observations (components × points, components = \(components))",
                                                 expected: (observations / components + 1) * components, got: observations)
        }
        let points = observations / components
        guard forecast == members * components * points else {
            throw VerificationError.sizeMismatch(what: "forecast (members × components × points = \(members) × \(components) × \(points))",
                                                 expected: members * components * points, got: forecast)
        }
        if nanPolicy == .raise {
            for (i, v) in forecastValues.enumerated() where !v.isFinite { throw VerificationError.nonFinite(what: "forecast", index: i, value: Double(v)) }
            for (i, v) in observationValues.enumerated() where !v.isFinite { throw VerificationError.nonFinite(what: "observations", index: i, value: Double(v)) }
        }
        return points
    }

    /// Copies point p into `x` ([member][component], members with a NaN dropped under `omit`) and `y`, widened to Double.
    /// Returns the member count kept, or a final value (NaN or +Inf) when the score is decided by non-finite input.
    static func gather<T: VerificationScalar>(_ f: UnsafeBufferPointer<T>, _ o: UnsafeBufferPointer<T>, members: Int, components d: Int,
                       points: Int, point p: Int, nanPolicy: NaNPolicy,
                       x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>) -> (kept: Int, decided: Double?) {
        var obsInfinite = false
        for c in 0..<d {
            let v = Double(o[c * points + p])
            if v.isNaN { return (0, .nan) }
            if v.isInfinite { obsInfinite = true }
            y[c] = v
        }
        var kept = 0
        var memberInfinite = false
        for m in 0..<members {
            var hasNaN = false
            for c in 0..<d {
                let v = Double(f[(m * d + c) * points + p])
                if v.isNaN { hasNaN = true }
                if v.isInfinite { memberInfinite = true }
                x[kept * d + c] = v
            }
            if hasNaN {
                if nanPolicy == .propagate { return (0, .nan) }
                continue
            }
            kept += 1
        }
        if kept == 0 || memberInfinite { return (kept, .nan) }
        if obsInfinite { return (kept, .infinity) }
        return (kept, nil)
    }

    /// Runs `score(x, y, keptMembers)` at every point over fixed chunks (same bits at any thread count).
    static func map<T: VerificationScalar>(forecast: [T], observations: [T], members: Int, components d: Int, points: Int,
                    nanPolicy: NaNPolicy, _ score: @escaping (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Double) -> [Double] {
        var out = [Double](repeating: .nan, count: points)
        let policy: NaNPolicy = nanPolicy == .raise ? .propagate : nanPolicy
        forecast.withUnsafeBufferPointer { f in
            observations.withUnsafeBufferPointer { o in
                out.withUnsafeMutableBufferPointer { r in
                    let chunks = (points + chunkPoints - 1) / chunkPoints
                    Parallel.forEach(chunks) { ch in
                        let x = UnsafeMutablePointer<Double>.allocate(capacity: members * d)
                        let y = UnsafeMutablePointer<Double>.allocate(capacity: d)
                        defer { x.deallocate(); y.deallocate() }
                        for p in (ch * chunkPoints)..<min(points, (ch + 1) * chunkPoints) {
                            let g = gather(f, o, members: members, components: d, points: points, point: p, nanPolicy: policy, x: x, y: y)
                            r[p] = g.decided ?? score(x, y, g.kept)
                        }
                    }
                }
            }
        }
        return out
    }
}
