import WXCore

/// Single-precision matrix multiply on row-major buffers: packed, cache-blocked, SIMD micro-kernel.
///
/// Blocking follows the usual GotoBLAS/BLIS scheme: a KC x NC slab of B is packed into
/// 16-wide panels, an MC x KC block of A into 6-high panels, and the 6x16 micro-kernel sweeps
/// them. Threads take contiguous parts of C (column or row ranges on micro-tile boundaries).
/// Every element of C is summed over k in the same order (KC blocks in turn, k ascending
/// inside a block) whatever the thread count or the split, so results are bit-identical.
public enum Gemm {
    static let kc = 256
    /// 120 rows keep a packed A block (120 x 256 floats) in L2 beside the streaming B panels.
    static let mc = 120
    static let nc = 3072
    /// Below this many multiply-adds the product runs on the calling thread.
    static let serialThreshold = 1 << 17

    /// C = alpha * op(A) * op(B) + beta * C for row-major buffers, where op(A) is m x k and op(B) is k x n.
    ///
    /// `transA` means A is stored k x m (leading dimension `lda`), likewise `transB` for B (n x k).
    /// With `beta == 0`, C is not read. `parallel: false` keeps the work on the calling thread.
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool = true) {
        if m <= 0 || n <= 0 { return }
        if k <= 0 || alpha == 0 {
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
            return
        }
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let threads = parallel && m * n * k >= serialThreshold ? Parallel.threads : 1
        let mPanels = (m + mr - 1) / mr, nPanels = (n + nr - 1) / nr
        // One part per thread, in a single fork-join. Splitting columns re-packs A in every part and
        // splitting rows re-packs B, so the smaller operand is the one duplicated. Parts start on
        // micro-tile boundaries, so every element is computed exactly as in the serial product.
        let splitColumns: Bool
        if threads <= 1 || (mPanels < 2 && nPanels < 2) {
            serial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                   beta: beta, c: c, ldc: ldc)
            return
        } else if m <= n {
            splitColumns = nPanels >= threads || mPanels < 2
        } else {
            splitColumns = !(mPanels >= threads || nPanels < 2)
        }
        let units = splitColumns ? nPanels : mPanels
        let parts = min(threads, units)
        let perPart = (units + parts - 1) / parts
        Parallel.forEach(parts) { part in
            let u0 = part * perPart, u1 = min(units, u0 + perPart)
            if u0 >= u1 { return }
            if splitColumns {
                let c0 = u0 * nr, c1 = min(n, u1 * nr)
                serial(transA: transA, transB: transB, m: m, n: c1 - c0, k: k, alpha: alpha, a: a, lda: lda,
                       b: transB ? b + c0 * ldb : b + c0, ldb: ldb, beta: beta, c: c + c0, ldc: ldc)
            } else {
                let r0 = u0 * mr, r1 = min(m, u1 * mr)
                serial(transA: transA, transB: transB, m: r1 - r0, n: n, k: k, alpha: alpha,
                       a: transA ? a + r0 : a + r0 * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + r0 * ldc, ldc: ldc)
            }
        }
    }

    /// The blocked product on the calling thread (arguments as `sgemm`, with k > 0 and alpha != 0).
    static func serial(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                       a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                       beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let bPanelsMax = (min(nc, n) + nr - 1) / nr
        let kcMax = min(kc, k)
        let aPanelsMax = (min(mc, m) + mr - 1) / mr
        let bBytes = bPanelsMax * nr * kcMax * 4, aBytes = aPanelsMax * mr * kcMax * 4
        // Room for two micro-tiles: the AVX-512 kernel computes pairs of B panels.
        let buffer = PackingBufferPool.shared.take(bBytes + aBytes + 2 * mr * nr * 4)
        defer { PackingBufferPool.shared.recycle(buffer) }
        let packedB = buffer.pointer.bindMemory(to: Float.self, capacity: (bBytes + aBytes) / 4 + 2 * mr * nr)
        let packedA = packedB + bBytes / 4
        let tile = packedA + aBytes / 4

        var jc = 0
        while jc < n {
            let nb = min(nc, n - jc)
            let nPanels = (nb + nr - 1) / nr
            var pc = 0
            while pc < k {
                let kb = min(kc, k - pc)
                packB(transB: transB, b: b, ldb: ldb, row0: pc, rows: kb, col0: jc, cols: nb, panels: 0..<nPanels, dst: packedB)
                let first = pc == 0
                var i0 = 0
                while i0 < m {
                    let mb = min(mc, m - i0)
                    let aPanels = (mb + mr - 1) / mr
                    for ip in 0..<aPanels {
                        packA(transA: transA, a: a, lda: lda, row0: i0 + ip * mr, col0: pc,
                              rows: min(mr, mb - ip * mr), cols: kb, dst: packedA + ip * mr * kb)
                    }
                    #if WXENS_AVX512
                    // Pairs of B panels share each broadcast of A (the same sums as one panel at a time).
                    var jp0 = 0
                    while jp0 + 1 < nPanels {
                        let j0 = jc + jp0 * nr, j1 = j0 + nr, nv1 = min(nr, nb - (jp0 + 1) * nr)
                        let bp = UnsafePointer(packedB + jp0 * nr * kb), bq = UnsafePointer(packedB + (jp0 + 1) * nr * kb)
                        for ip in 0..<aPanels {
                            let r0 = i0 + ip * mr, mv = min(mr, mb - ip * mr)
                            Prefetch.forWrite(c + r0 * ldc + j0, rows: mv, cols: nr + nv1, ld: ldc)
                            GemmMicroKernel.runPairAVX512(kc: kb, a: packedA + ip * mr * kb, b0: bp, b1: bq,
                                                          tile0: tile, tile1: tile + mr * nr)
                            store(tile: tile, rows: mv, cols: nr, c: c + r0 * ldc + j0, ldc: ldc,
                                  alpha: alpha, beta: beta, first: first)
                            store(tile: tile + mr * nr, rows: mv, cols: nv1, c: c + r0 * ldc + j1, ldc: ldc,
                                  alpha: alpha, beta: beta, first: first)
                        }
                        jp0 += 2
                    }
                    #else
                    let jp0 = 0
                    #endif
                    for jp in jp0..<nPanels {
                        let j0 = jc + jp * nr, nv = min(nr, nb - jp * nr)
                        let bp = UnsafePointer(packedB + jp * nr * kb)
                        for ip in 0..<aPanels {
                            let r0 = i0 + ip * mr, mv = min(mr, mb - ip * mr)
                            Prefetch.forWrite(c + r0 * ldc + j0, rows: mv, cols: nv, ld: ldc)
                            GemmMicroKernel.run(kc: kb, a: packedA + ip * mr * kb, b: bp, tile: tile)
                            store(tile: tile, rows: mv, cols: nv, c: c + r0 * ldc + j0, ldc: ldc,
                                  alpha: alpha, beta: beta, first: first)
                        }
                    }
                    i0 += mb
                }
                pc += kb
            }
            jc += nb
        }
    }

    /// Packs rows `row0..<row0+rows` (of op(A)) and columns `col0..<col0+cols` into a k-major 6-high panel, zero-padded.
    @inline(__always)
    static func packA(transA: Bool, a: UnsafePointer<Float>, lda: Int, row0: Int, col0: Int, rows: Int, cols: Int,
                      dst: UnsafeMutablePointer<Float>) {
        let mr = GemmMicroKernel.mr
        if transA {
            for p in 0..<cols {
                let src = a + (col0 + p) * lda + row0
                let d = dst + p * mr
                for r in 0..<rows { d[r] = src[r] }
                for r in rows..<mr { d[r] = 0 }
            }
        } else {
            for r in 0..<rows {
                let src = a + (row0 + r) * lda + col0
                // Short row runs defeat the hardware prefetcher: ask for the next panel's row now.
                let ahead = UnsafeRawPointer(src + mr * lda)
                var off = 0
                while off < cols * 4 { CachePrefetch.read(ahead + off); off += 64 }
                for p in 0..<cols { dst[p * mr + r] = src[p] }
            }
            if rows < mr { for p in 0..<cols { for r in rows..<mr { dst[p * mr + r] = 0 } } }
        }
    }

    /// Packs k rows `row0..<row0+rows` of op(B), columns `col0 + 16 jp ..< +16` for each panel jp, into
    /// k-major 16-wide panels at `dst + jp * 16 * rows` (zero-padded past column `col0 + cols`).
    @inline(__always)
    static func packB(transB: Bool, b: UnsafePointer<Float>, ldb: Int, row0: Int, rows: Int, col0: Int, cols: Int,
                      panels: Range<Int>, dst: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr
        if transB {
            for jp in panels {
                let d = dst + jp * nr * rows, width = min(nr, cols - jp * nr)
                for j in 0..<width {
                    let src = b + (col0 + jp * nr + j) * ldb + row0
                    for p in 0..<rows { d[p * nr + j] = src[p] }
                }
                if width < nr { for p in 0..<rows { for j in width..<nr { d[p * nr + j] = 0 } } }
            }
        } else {
            for p in 0..<rows {
                let src = b + (row0 + p) * ldb + col0
                for jp in panels {
                    let d = dst + jp * nr * rows + p * nr, s = src + jp * nr, width = min(nr, cols - jp * nr)
                    if width == nr {
                        UnsafeMutableRawPointer(d).storeBytes(of: UnsafeRawPointer(s).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    } else {
                        for j in 0..<width { d[j] = s[j] }
                        for j in width..<nr { d[j] = 0 }
                    }
                }
            }
        }
    }

    /// Adds the micro-tile into C: C = alpha*tile + beta*C on the first k block, C += alpha*tile after.
    @inline(__always)
    static func store(tile: UnsafeMutablePointer<Float>, rows: Int, cols: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                      alpha: Float, beta: Float, first: Bool) {
        let nr = GemmMicroKernel.nr
        if cols == nr {
            typealias V = SIMD16<Float>
            for i in 0..<rows {
                let t = UnsafeRawPointer(tile + i * nr).loadUnaligned(as: V.self)
                let row = UnsafeMutableRawPointer(c + i * ldc)
                let out: V
                if first {
                    out = beta == 0 ? alpha * t : alpha * t + beta * row.loadUnaligned(as: V.self)
                } else {
                    out = row.loadUnaligned(as: V.self) + alpha * t
                }
                row.storeBytes(of: out, as: V.self)
            }
            return
        }
        for i in 0..<rows {
            let t = tile + i * nr, row = c + i * ldc
            if first {
                if beta == 0 {
                    for j in 0..<cols { row[j] = alpha * t[j] }
                } else {
                    for j in 0..<cols { row[j] = alpha * t[j] + beta * row[j] }
                }
            } else {
                for j in 0..<cols { row[j] += alpha * t[j] }
            }
        }
    }
}
