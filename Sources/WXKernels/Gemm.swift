import WXCore

/// Single-precision matrix multiply on row-major buffers: packed, cache-blocked, SIMD micro-kernel.
///
/// Blocking follows the usual GotoBLAS/BLIS scheme: a KC x NC slab of B is packed into
/// 16-wide panels (shared by all workers), each worker packs an MC x KC block of A into
/// 6-high panels and sweeps the 6x16 micro-kernel over it. Every element of C is summed
/// over k in the same order (KC blocks in turn, k ascending inside a block) whatever the
/// thread count or the split of C between workers, so results are bit-identical.
public enum Gemm {
    static let kc = 256
    /// 120 rows keep a packed A block (120 x 256 floats) in L2 and under malloc's mmap threshold.
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
        let useThreads = parallel && Parallel.threads > 1 && m * n * k >= serialThreshold
        let threads = useThreads ? Parallel.threads : 1
        let ncMax = min(nc, n)
        let bPanelsMax = (ncMax + nr - 1) / nr
        let kcMax = min(kc, k)
        let packedB = UnsafeMutableRawPointer.allocate(byteCount: bPanelsMax * nr * kcMax * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: bPanelsMax * nr * kcMax)
        defer { packedB.deallocate() }

        var jc = 0
        while jc < n {
            let nb = min(nc, n - jc)
            let nPanels = (nb + nr - 1) / nr
            var pc = 0
            while pc < k {
                let kb = min(kc, k - pc)
                let packPanel = { (jp: Int) in
                    packB(transB: transB, b: b, ldb: ldb, row0: pc, col0: jc + jp * nr,
                          rows: kb, cols: min(nr, nb - jp * nr), dst: packedB + jp * nr * kb)
                }
                if threads > 1 && nPanels > 1 { Parallel.forEach(nPanels, packPanel) } else { for jp in 0..<nPanels { packPanel(jp) } }

                let first = pc == 0
                let mBlocks = (m + mc - 1) / mc
                let nParts = threads > 1 ? max(1, min(nPanels, (4 * threads + mBlocks - 1) / mBlocks)) : 1
                let panelsPerPart = (nPanels + nParts - 1) / nParts
                let task = { (t: Int) in
                    let ib = t / nParts, part = t % nParts
                    let i0 = ib * mc, mb = min(mc, m - i0)
                    let p0 = part * panelsPerPart, p1 = min(nPanels, p0 + panelsPerPart)
                    if p0 >= p1 { return }
                    let aPanels = (mb + mr - 1) / mr
                    let bufBytes = aPanels * mr * kb * 4 + mr * nr * 4
                    let raw = UnsafeMutableRawPointer.allocate(byteCount: bufBytes, alignment: 64)
                    defer { raw.deallocate() }
                    let packedA = raw.bindMemory(to: Float.self, capacity: bufBytes / 4)
                    let tile = packedA + aPanels * mr * kb
                    for ip in 0..<aPanels {
                        packA(transA: transA, a: a, lda: lda, row0: i0 + ip * mr, col0: pc,
                              rows: min(mr, mb - ip * mr), cols: kb, dst: packedA + ip * mr * kb)
                    }
                    for jp in p0..<p1 {
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
                }
                if threads > 1 { Parallel.forEach(mBlocks * nParts, task) } else { for t in 0..<(mBlocks * nParts) { task(t) } }
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
                for p in 0..<cols { dst[p * mr + r] = src[p] }
            }
            if rows < mr { for p in 0..<cols { for r in rows..<mr { dst[p * mr + r] = 0 } } }
        }
    }

    /// Packs rows `row0..<row0+rows` (k) and columns `col0..<col0+cols` of op(B) into a k-major 16-wide panel, zero-padded.
    @inline(__always)
    static func packB(transB: Bool, b: UnsafePointer<Float>, ldb: Int, row0: Int, col0: Int, rows: Int, cols: Int,
                      dst: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr
        if transB {
            for j in 0..<cols {
                let src = b + (col0 + j) * ldb + row0
                for p in 0..<rows { dst[p * nr + j] = src[p] }
            }
            if cols < nr { for p in 0..<rows { for j in cols..<nr { dst[p * nr + j] = 0 } } }
        } else {
            for p in 0..<rows {
                let src = b + (row0 + p) * ldb + col0
                let d = dst + p * nr
                if cols == nr {
                    UnsafeMutableRawPointer(d).storeBytes(of: UnsafeRawPointer(src).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                } else {
                    for j in 0..<cols { d[j] = src[j] }
                    for j in cols..<nr { d[j] = 0 }
                }
            }
        }
    }

    /// Adds the micro-tile into C: C = alpha*tile + beta*C on the first k block, C += alpha*tile after.
    @inline(__always)
    static func store(tile: UnsafeMutablePointer<Float>, rows: Int, cols: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                      alpha: Float, beta: Float, first: Bool) {
        let nr = GemmMicroKernel.nr
        if rows == GemmMicroKernel.mr && cols == nr {
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
