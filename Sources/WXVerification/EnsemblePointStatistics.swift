import WXCore

/// Per-point statistics of a member-major block from one sort per point: ensemble mean and sum of squared
/// deviations, CRPS (standard and fair), the truth's rank counts and the member count of every threshold event.
///
/// With the m valid members x_i of a point, its observation y and the members sorted ascending:
/// mean = (Σ x_i)/m (summed in member order), squaredDeviations = Σ (x_i − mean)² (variance = that/(m − 1)),
/// CRPS = (1/m)Σ|x_(i) − y| − S·f with S = Σ (2i − m − 1)(x_(i) − y), f = 1/m² (standard) or 1/(m(m − 1)) (fair,
/// Ferro 2014), below = #{x_i < y}, equal = #{x_i = y}, eventCount_e = #{x_i in event e}.
/// Groups of 4 points whose members and observation are all finite are sorted together on SIMD lanes by the same
/// network as `CRPS.ensemble`; any other point takes the scalar path (`scalarPoint`), which does the same operations
/// in the same order, so every point gets the same bits either way and at any thread count.
/// A point is scored (validMembers > 0) when its observation is finite and at least one member is; a point with a
/// non-finite value is flagged `nonFinite`, and is scored from its finite members only under `NaNPolicy.omit`.
public struct EnsemblePointStatistics {
    /// Ensemble size of the blocks.
    public let members: Int
    /// Events counted per point.
    public let events: [ThresholdEvent]
    /// Points of the block (`forecast[m * points + p]`).
    public let points: Int
    /// Capacity of the per-point outputs (points per call at most).
    public let capacity: Int
    /// Valid members per point (0: not scored).
    public let validMembers: UnsafeMutableBufferPointer<Int32>
    /// Whether the point had a non-finite member or observation.
    public let nonFinite: UnsafeMutableBufferPointer<Bool>
    /// Ensemble mean.
    public let mean: UnsafeMutableBufferPointer<Double>
    /// Σ (x_i − mean)².
    public let squaredDeviations: UnsafeMutableBufferPointer<Double>
    /// Standard (empirical-CDF) CRPS.
    public let crps: UnsafeMutableBufferPointer<Double>
    /// Fair CRPS (NaN for one member).
    public let crpsFair: UnsafeMutableBufferPointer<Double>
    /// Members below the observation.
    public let below: UnsafeMutableBufferPointer<Int32>
    /// Members equal to the observation.
    public let equal: UnsafeMutableBufferPointer<Int32>
    /// Members in event e at point j of the call: `eventCounts[e * capacity + j]`.
    public let eventCounts: UnsafeMutableBufferPointer<Int32>

    private let network: [Int32]
    private let mergeStart: Int
    private let blocked: Int
    private let groups: Int
    private let tile: UnsafeMutablePointer<SIMD4<Double>>
    private let sums: UnsafeMutablePointer<SIMD4<Double>>
    private let checks: UnsafeMutablePointer<SIMD4<Double>>
    private let scratch: UnsafeMutableBufferPointer<Double>

    /// Workspace for calls of up to `capacity` points of blocks with `members` members and `points` points.
    public init(members: Int, points: Int, capacity: Int, events: [ThresholdEvent]) throws {
        guard members >= 1 else {
            throw VerificationError.invalidParameter(name: "members", value: "\(members)", reason: "an ensemble needs at least one member")
        }
        for e in events { try e.check(points: points) }
        self.members = members
        self.points = points
        self.capacity = max(capacity, 1)
        self.events = events
        let n = self.capacity
        validMembers = .allocate(capacity: n); nonFinite = .allocate(capacity: n)
        mean = .allocate(capacity: n); squaredDeviations = .allocate(capacity: n)
        crps = .allocate(capacity: n); crpsFair = .allocate(capacity: n)
        below = .allocate(capacity: n); equal = .allocate(capacity: n)
        eventCounts = .allocate(capacity: max(1, events.count * n))
        let net = SortingNetwork(size: members).pairs
        network = net
        var start = 0
        while start < net.count / 2 && net[2 * start] / 8 == net[2 * start + 1] / 8 { start += 1 }
        mergeStart = start
        blocked = members / 8 * 8
        var g = 16
        while g > 1 && members * 32 * g > CRPS.tileBudget { g /= 2 }
        groups = g
        tile = .allocate(capacity: members * g)
        sums = .allocate(capacity: g)
        checks = .allocate(capacity: g)
        scratch = .allocate(capacity: members)
    }

    /// Frees the workspace.
    public func deallocate() {
        validMembers.deallocate(); nonFinite.deallocate(); mean.deallocate(); squaredDeviations.deallocate()
        crps.deallocate(); crpsFair.deallocate(); below.deallocate(); equal.deallocate(); eventCounts.deallocate()
        tile.deallocate(); sums.deallocate(); checks.deallocate(); scratch.deallocate()
    }

    /// Computes the statistics of points `range` (at most `capacity` of them) of a member-major block; output j
    /// belongs to point `range.lowerBound + j`.
    public func compute(forecast f: UnsafePointer<Double>, observations o: UnsafePointer<Double>, range: Range<Int>,
                        nanPolicy: NaNPolicy) {
        precondition(range.count <= capacity && range.lowerBound >= 0 && range.upperBound <= points)
        var p = range.lowerBound
        while p + 4 <= range.upperBound {
            let g = min(groups, (range.upperBound - p) / 4)
            tileGroups(f, o, p, g, range.lowerBound, nanPolicy)
            p += 4 * g
        }
        while p < range.upperBound { scalarPoint(f, o, p, p - range.lowerBound, nanPolicy); p += 1 }
    }

    @inline(__always)
    private func load(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
    }

    @inline(__always)
    private func count(_ mask: SIMDMask<SIMD4<Int64>>) -> SIMD4<Int64> {
        SIMD4<Int64>(repeating: 0).replacing(with: 1, where: mask)
    }

    /// Loads, checks and sorts `g` groups of 4 points starting at `p` into the tile, then reads every statistic of
    /// the all-finite groups off it; the others go point by point through `scalarPoint`.
    private func tileGroups(_ f: UnsafePointer<Double>, _ o: UnsafePointer<Double>, _ p: Int, _ g: Int, _ base: Int,
                            _ policy: NaNPolicy) {
        let M = members, P = points, t = tile
        let md = Double(M)
        // Means (member-order sums) and a finiteness check per group, as the rows are loaded and 8-blocks sorted.
        for k in 0..<g { checks[k] = load(o + p + 4 * k) * 0; sums[k] = .zero }
        var b = 0
        while b < blocked {
            let row = f + b * P + p
            let trow = t + b * g
            for k in 0..<g {
                let r = row + 4 * k
                var v0 = load(r), v1 = load(r + P), v2 = load(r + 2 * P), v3 = load(r + 3 * P)
                var v4 = load(r + 4 * P), v5 = load(r + 5 * P), v6 = load(r + 6 * P), v7 = load(r + 7 * P)
                var s = sums[k]
                s += v0; s += v1; s += v2; s += v3; s += v4; s += v5; s += v6; s += v7
                sums[k] = s
                CRPSTiles.sort8(&v0, &v1, &v2, &v3, &v4, &v5, &v6, &v7)
                trow[k] = v0; trow[g + k] = v1; trow[2 * g + k] = v2; trow[3 * g + k] = v3
                trow[4 * g + k] = v4; trow[5 * g + k] = v5; trow[6 * g + k] = v6; trow[7 * g + k] = v7
            }
            b += 8
        }
        for i in blocked..<M {
            let row = f + i * P + p
            let trow = t + i * g
            for k in 0..<g {
                let x = load(row + 4 * k)
                sums[k] += x
                trow[k] = x
            }
        }
        // A sum overflowing to infinity only sends a finite group to the (same-bits) scalar path.
        for k in 0..<g { checks[k] += sums[k] * 0 }
        // Comparators not applied in registers: those of 8-blocks past `blocked`, then the merges.
        let net = network
        for c in 0..<(net.count / 2) where c >= mergeStart || Int(net[2 * c]) >= blocked {
            let a = t + Int(net[2 * c]) * g, bb = t + Int(net[2 * c + 1]) * g
            for k in 0..<g { CRPSTiles.order(&a[k], &bb[k]) }
        }
        let fStd = CRPSEstimator.standard.pairFactor(members: M)
        let fFair = M >= 2 ? CRPSEstimator.fair.pairFactor(members: M) : .nan
        let E = events.count
        for k in 0..<g {
            let q = p + 4 * k, j = q - base
            guard checks[k] == .zero else {
                for l in 0..<4 { scalarPoint(f, o, q + l, j + l, policy) }
                continue
            }
            let y = load(o + q)
            let mu = sums[k] / md
            var ss = SIMD4<Double>()
            for i in 0..<M {
                let d = load(f + i * P + q) - mu
                ss += d * d
            }
            var s1 = SIMD4<Double>(), s2 = SIMD4<Double>()
            var lo = SIMD4<Int64>(), eq = SIMD4<Int64>()
            var c = Double(1 - M)
            for i in 0..<M {
                let x = t[i * g + k]
                let d = x - y
                s1 += magnitude(d)
                s2 += c * d
                c += 2
                lo &+= count(x .< y)
                eq &+= count(x .== y)
            }
            let r1 = s1 / md - s2 * fStd
            let r2 = s1 / md - s2 * fFair
            for l in 0..<4 {
                validMembers[j + l] = Int32(M); nonFinite[j + l] = false
                mean[j + l] = mu[l]; squaredDeviations[j + l] = ss[l]
                crps[j + l] = r1[l]; crpsFair[j + l] = M >= 2 ? r2[l] : .nan
                below[j + l] = Int32(lo[l]); equal[j + l] = Int32(eq[l])
            }
            for e in 0..<E {
                let ev = events[e]
                let th: SIMD4<Double> = ev.thresholds.count == 1 ? SIMD4(repeating: ev.thresholds[0])
                    : ev.thresholds.withUnsafeBufferPointer { load($0.baseAddress! + q) }
                var n = SIMD4<Int64>()
                switch ev.comparison {
                case .greater: for i in 0..<M { n &+= count(t[i * g + k] .> th) }
                case .greaterOrEqual: for i in 0..<M { n &+= count(t[i * g + k] .>= th) }
                case .less: for i in 0..<M { n &+= count(t[i * g + k] .< th) }
                case .lessOrEqual: for i in 0..<M { n &+= count(t[i * g + k] .<= th) }
                }
                for l in 0..<4 { eventCounts[e * capacity + j + l] = Int32(n[l]) }
            }
        }
    }

    /// |d| per lane: the sign bit cleared, as `abs` does.
    @inline(__always)
    private func magnitude(_ d: SIMD4<Double>) -> SIMD4<Double> {
        unsafeBitCast(unsafeBitCast(d, to: SIMD4<UInt64>.self) & SIMD4(repeating: 0x7fff_ffff_ffff_ffff), to: SIMD4<Double>.self)
    }

    /// One point by the scalar rules: finite members gathered in member order, summed, sorted and counted.
    private func scalarPoint(_ f: UnsafePointer<Double>, _ o: UnsafePointer<Double>, _ p: Int, _ j: Int, _ policy: NaNPolicy) {
        let M = members, P = points
        let y = o[p]
        var m = 0
        var bad = !y.isFinite
        for i in 0..<M {
            let v = f[i * P + p]
            if v.isFinite { scratch[m] = v; m += 1 } else { bad = true }
        }
        nonFinite[j] = bad
        validMembers[j] = 0
        if bad && policy != .omit { return }
        guard y.isFinite, m > 0 else { return }
        var sum = 0.0
        for i in 0..<m { sum += scratch[i] }
        let mu = sum / Double(m)
        var ss = 0.0, lo: Int32 = 0, eq: Int32 = 0
        for i in 0..<m {
            let d = scratch[i] - mu
            ss += d * d
            if scratch[i] < y { lo += 1 } else if scratch[i] == y { eq += 1 }
        }
        for (e, ev) in events.enumerated() {
            let th = ev.threshold(at: p)
            var n: Int32 = 0
            for i in 0..<m where ev.comparison.isEvent(scratch[i], th) { n += 1 }
            eventCounts[e * capacity + j] = n
        }
        var s = UnsafeMutableBufferPointer(rebasing: scratch[0..<m])
        s.sort()
        let sorted = UnsafeBufferPointer(s)
        validMembers[j] = Int32(m)
        mean[j] = mu
        squaredDeviations[j] = ss
        crps[j] = CRPS.fromSorted(sorted, observation: y, estimator: .standard)
        crpsFair[j] = m >= 2 ? CRPS.fromSorted(sorted, observation: y, estimator: .fair) : .nan
        below[j] = lo
        equal[j] = eq
    }
}
