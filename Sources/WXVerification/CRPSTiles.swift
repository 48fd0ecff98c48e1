import WXCore

/// The sorted-tile kernel of the batched CRPS for one chunk of points.
///
/// A tile holds, for every member, `groups` SIMD vectors of 32 bytes (4 Double or 8 Float points each), so that a
/// member row is read as one contiguous run and the whole tile stays in L1 while a branch-free sorting network runs
/// over it, one comparator at a time on all of the tile's vectors. The network's first stages (Batcher's sorts of
/// aligned blocks of 8 members) run in registers as the rows are loaded, which saves a load and a store per comparator
/// there; the merge stages run on the tile in L1. The next tile's rows are prefetched while the current one is loaded: the many short strided runs of a member-major block defeat the hardware prefetchers.
/// Sorted values are then summed per lane in Double in the order of `CRPS.fromSorted`, which makes every finite
/// point bitwise equal to the scalar path. Float points are sorted as raw Float (an exact order) and shifted by the
/// observation only when widened to Double.
struct CRPSTiles {
    let members: Int
    let points: Int
    let network: UnsafeBufferPointer<Int32>
    let estimator: CRPSEstimator
    let nanPolicy: NaNPolicy
    let factor: Double
    /// SIMD vectors per member row of a tile.
    let groups: Int
    /// Tiles of prefetch distance.
    /// (Measured on the Zen 3 at 1 thread: 2 tiles beat 1 and 4, and prefetching into L1 beats L2 only.)
    static let prefetchTiles = 2
    /// Members sorted in registers as aligned blocks of 8 (the rest, up to 7, are loaded plainly).
    let blocked: Int
    /// Index in `network` of the first comparator after the sorts of aligned 8-blocks.
    let mergeStart: Int
    private let tile: UnsafeMutableRawPointer
    private let checks: UnsafeMutableRawPointer
    private let scratch: UnsafeMutableBufferPointer<Double>

    init(members: Int, points: Int, network: UnsafeBufferPointer<Int32>, estimator: CRPSEstimator, nanPolicy: NaNPolicy) {
        self.members = members
        self.points = points
        self.network = network
        self.estimator = estimator
        self.nanPolicy = nanPolicy
        factor = estimator.pairFactor(members: members)
        blocked = members / 8 * 8
        var start = 0
        while start < network.count / 2 && network[2 * start] / 8 == network[2 * start + 1] / 8 { start += 1 }
        mergeStart = start
        var g = 16
        while g > 1 && members * 32 * g > CRPS.tileBudget { g /= 2 }
        groups = g
        tile = UnsafeMutableRawPointer.allocate(byteCount: members * g * 32, alignment: 64)
        checks = UnsafeMutableRawPointer.allocate(byteCount: g * 32, alignment: 64)
        scratch = .allocate(capacity: members)
    }

    /// Frees the tile buffers.
    func deallocate() {
        tile.deallocate()
        checks.deallocate()
        scratch.deallocate()
    }

    /// CRPS of points `range` of a Double block into `output`.
    func run(forecast f: UnsafePointer<Double>, observations o: UnsafePointer<Double>, range: Range<Int>,
             output: UnsafeMutablePointer<Double>) {
        var p = range.lowerBound
        while p + 4 <= range.upperBound {
            let g = min(groups, (range.upperBound - p) / 4)
            tileDouble(f, o, p, g, output)
            p += 4 * g
        }
        while p < range.upperBound { output[p] = scalarPoint(f, o, p); p += 1 }
    }

    /// CRPS of points `range` of a Float block into `output`.
    func run(forecast f: UnsafePointer<Float>, observations o: UnsafePointer<Float>, range: Range<Int>,
             output: UnsafeMutablePointer<Double>) {
        var p = range.lowerBound
        while p + 8 <= range.upperBound {
            let g = min(groups, (range.upperBound - p) / 8)
            tileFloat(f, o, p, g, output)
            p += 8 * g
        }
        while p < range.upperBound { output[p] = scalarPoint(f, o, p); p += 1 }
    }

    /// Prefetches the row run `ahead` points past `row`, if it lies inside the block.
    @inline(__always)
    private func prefetchRow<T>(_ row: UnsafePointer<T>, p: Int, ahead: Int, bytes: Int) {
        guard p + ahead + bytes / MemoryLayout<T>.stride <= points else { return }
        let a = UnsafeRawPointer(row + ahead)
        var k = 0
        while k < bytes { CachePrefetch.read(a + k); k += 64 }
    }

    @inline(__always)
    private func tileDouble(_ f: UnsafePointer<Double>, _ o: UnsafePointer<Double>, _ p: Int, _ g: Int,
                            _ output: UnsafeMutablePointer<Double>) {
        let t = tile.assumingMemoryBound(to: SIMD4<Double>.self)
        let check = checks.assumingMemoryBound(to: SIMD4<Double>.self)
        let ahead = Self.prefetchTiles * groups * 4
        for k in 0..<g { check[k] = load(o + p + 4 * k) * 0 }
        var b = 0
        while b < blocked {
            let row = f + b * points + p
            for j in 0..<8 { prefetchRow(row + j * points, p: p, ahead: ahead, bytes: g * 32) }
            let trow = t + b * g
            for k in 0..<g {
                let y = load(o + p + 4 * k)
                let r = row + 4 * k
                var v0 = load(r) - y, v1 = load(r + points) - y, v2 = load(r + 2 * points) - y, v3 = load(r + 3 * points) - y
                var v4 = load(r + 4 * points) - y, v5 = load(r + 5 * points) - y
                var v6 = load(r + 6 * points) - y, v7 = load(r + 7 * points) - y
                // A sum overflowing to infinity only sends a finite group to the (exact) scalar path.
                let s0 = (v0 + v1) + (v2 + v3), s1 = (v4 + v5) + (v6 + v7)
                check[k] += (s0 + s1) * 0
                Self.sort8(&v0, &v1, &v2, &v3, &v4, &v5, &v6, &v7)
                trow[k] = v0; trow[g + k] = v1; trow[2 * g + k] = v2; trow[3 * g + k] = v3
                trow[4 * g + k] = v4; trow[5 * g + k] = v5; trow[6 * g + k] = v6; trow[7 * g + k] = v7
            }
            b += 8
        }
        for i in blocked..<members {
            let row = f + i * points + p
            prefetchRow(row, p: p, ahead: ahead, bytes: g * 32)
            let trow = t + i * g
            for k in 0..<g {
                let d = load(row + 4 * k) - load(o + p + 4 * k)
                check[k] += d * 0
                trow[k] = d
            }
        }
        sort(t, g)
        let m = members, md = Double(members)
        for k in 0..<g {
            let q = p + 4 * k
            guard check[k] == .zero else {
                for l in 0..<4 { output[q + l] = scalarPoint(f, o, q + l) }
                continue
            }
            var s1 = SIMD4<Double>(), s2 = SIMD4<Double>()
            var c = Double(1 - m)
            for i in 0..<m {
                let d = t[i * g + k]
                s1 += magnitude(d)
                s2 += c * d
                c += 2
            }
            let r = s1 / md - s2 * factor
            UnsafeMutableRawPointer(output + q).storeBytes(of: r, as: SIMD4<Double>.self)
        }
    }

    @inline(__always)
    private func tileFloat(_ f: UnsafePointer<Float>, _ o: UnsafePointer<Float>, _ p: Int, _ g: Int,
                           _ output: UnsafeMutablePointer<Double>) {
        let t = tile.assumingMemoryBound(to: SIMD8<Float>.self)
        let check = checks.assumingMemoryBound(to: SIMD8<Float>.self)
        let ahead = Self.prefetchTiles * groups * 8
        for k in 0..<g { check[k] = load(o + p + 8 * k) * 0 }
        var b = 0
        while b < blocked {
            let row = f + b * points + p
            for j in 0..<8 { prefetchRow(row + j * points, p: p, ahead: ahead, bytes: g * 32) }
            let trow = t + b * g
            for k in 0..<g {
                let r = row + 8 * k
                var v0 = load(r), v1 = load(r + points), v2 = load(r + 2 * points), v3 = load(r + 3 * points)
                var v4 = load(r + 4 * points), v5 = load(r + 5 * points), v6 = load(r + 6 * points), v7 = load(r + 7 * points)
                let s0 = (v0 + v1) + (v2 + v3), s1 = (v4 + v5) + (v6 + v7)
                check[k] += (s0 + s1) * 0
                Self.sort8(&v0, &v1, &v2, &v3, &v4, &v5, &v6, &v7)
                trow[k] = v0; trow[g + k] = v1; trow[2 * g + k] = v2; trow[3 * g + k] = v3
                trow[4 * g + k] = v4; trow[5 * g + k] = v5; trow[6 * g + k] = v6; trow[7 * g + k] = v7
            }
            b += 8
        }
        for i in blocked..<members {
            let row = f + i * points + p
            prefetchRow(row, p: p, ahead: ahead, bytes: g * 32)
            let trow = t + i * g
            for k in 0..<g {
                let x = load(row + 8 * k)
                check[k] += x * 0
                trow[k] = x
            }
        }
        sort(t, g)
        let m = members, md = Double(members)
        for k in 0..<g {
            let q = p + 8 * k
            guard check[k] == .zero else {
                for l in 0..<8 { output[q + l] = scalarPoint(f, o, q + l) }
                continue
            }
            let y = load(o + q)
            let y0 = SIMD4<Double>(y.lowHalf), y1 = SIMD4<Double>(y.highHalf)
            var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), b0 = SIMD4<Double>(), b1 = SIMD4<Double>()
            var c = Double(1 - m)
            for i in 0..<m {
                let x = t[i * g + k]
                let d0 = SIMD4<Double>(x.lowHalf) - y0, d1 = SIMD4<Double>(x.highHalf) - y1
                a0 += magnitude(d0)
                a1 += magnitude(d1)
                b0 += c * d0
                b1 += c * d1
                c += 2
            }
            let r0 = a0 / md - b0 * factor, r1 = a1 / md - b1 * factor
            UnsafeMutableRawPointer(output + q).storeBytes(of: r0, as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(output + q + 4).storeBytes(of: r1, as: SIMD4<Double>.self)
        }
    }

    /// Applies the network to `g` vectors per member, every comparator on all of them before the next: the
    /// comparators of the aligned 8-blocks not sorted in registers, then the merge stages.
    /// (Written per concrete type: the generic SIMD comparisons compile to one lane at a time.)
    @inline(__always)
    private func sort(_ t: UnsafeMutablePointer<SIMD4<Double>>, _ g: Int) {
        let net = network
        for c in 0..<(net.count / 2) where c >= mergeStart || Int(net[2 * c]) >= blocked {
            let a = t + Int(net[2 * c]) * g, b = t + Int(net[2 * c + 1]) * g
            for k in 0..<g { Self.order(&a[k], &b[k]) }
        }
    }

    @inline(__always)
    private func sort(_ t: UnsafeMutablePointer<SIMD8<Float>>, _ g: Int) {
        let net = network
        for c in 0..<(net.count / 2) where c >= mergeStart || Int(net[2 * c]) >= blocked {
            let a = t + Int(net[2 * c]) * g, b = t + Int(net[2 * c + 1]) * g
            for k in 0..<g { Self.order(&a[k], &b[k]) }
        }
    }

    /// Puts the lane-wise minimum in `a` and the maximum in `b` (finite values: one `vminp`/`vmaxp` each).
    @inline(__always)
    static func order(_ a: inout SIMD4<Double>, _ b: inout SIMD4<Double>) {
        let x = a, y = b
        let swap = y .< x
        a = x.replacing(with: y, where: swap)
        b = y.replacing(with: x, where: swap)
    }

    @inline(__always)
    static func order(_ a: inout SIMD8<Float>, _ b: inout SIMD8<Float>) {
        let x = a, y = b
        let swap = y .< x
        a = x.replacing(with: y, where: swap)
        b = y.replacing(with: x, where: swap)
    }

    /// Batcher's odd-even merge sort of 8 values per lane (19 comparators), in registers.
    @inline(__always)
    static func sort8(_ v0: inout SIMD4<Double>, _ v1: inout SIMD4<Double>, _ v2: inout SIMD4<Double>, _ v3: inout SIMD4<Double>,
                      _ v4: inout SIMD4<Double>, _ v5: inout SIMD4<Double>, _ v6: inout SIMD4<Double>, _ v7: inout SIMD4<Double>) {
        order(&v0, &v1); order(&v2, &v3); order(&v4, &v5); order(&v6, &v7)
        order(&v0, &v2); order(&v1, &v3); order(&v4, &v6); order(&v5, &v7)
        order(&v1, &v2); order(&v5, &v6)
        order(&v0, &v4); order(&v1, &v5); order(&v2, &v6); order(&v3, &v7)
        order(&v2, &v4); order(&v3, &v5)
        order(&v1, &v2); order(&v3, &v4); order(&v5, &v6)
    }

    @inline(__always)
    static func sort8(_ v0: inout SIMD8<Float>, _ v1: inout SIMD8<Float>, _ v2: inout SIMD8<Float>, _ v3: inout SIMD8<Float>,
                      _ v4: inout SIMD8<Float>, _ v5: inout SIMD8<Float>, _ v6: inout SIMD8<Float>, _ v7: inout SIMD8<Float>) {
        order(&v0, &v1); order(&v2, &v3); order(&v4, &v5); order(&v6, &v7)
        order(&v0, &v2); order(&v1, &v3); order(&v4, &v6); order(&v5, &v7)
        order(&v1, &v2); order(&v5, &v6)
        order(&v0, &v4); order(&v1, &v5); order(&v2, &v6); order(&v3, &v7)
        order(&v2, &v4); order(&v3, &v5)
        order(&v1, &v2); order(&v3, &v4); order(&v5, &v6)
    }

    /// |d| per lane: the sign bit cleared, as `abs` does.
    @inline(__always)
    private func magnitude(_ d: SIMD4<Double>) -> SIMD4<Double> {
        unsafeBitCast(unsafeBitCast(d, to: SIMD4<UInt64>.self) & SIMD4(repeating: 0x7fff_ffff_ffff_ffff), to: SIMD4<Double>.self)
    }

    @inline(__always)
    private func load(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
    }

    @inline(__always)
    private func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// One point through the scalar rules (non-finite values, and points past the last full vector).
    func scalarPoint<T: VerificationScalar>(_ f: UnsafePointer<T>, _ o: UnsafePointer<T>, _ p: Int) -> Double {
        for i in 0..<members { scratch[i] = Double(f[i * points + p]) }
        // The policy is never `raise` here, so this cannot throw.
        return (try? CRPS.crpsOfScratch(scratch, count: members, observation: Double(o[p]), estimator: estimator,
                                        nanPolicy: nanPolicy, what: "forecast", offset: p, stride: points)) ?? .nan
    }
}

