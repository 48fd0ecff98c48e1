/// The register-blocked inner loop of the GEMM: a 6x16 tile of C from packed panels.
///
/// Twelve SIMD8 accumulators (6 rows x 2 vectors) stay in registers; each k step broadcasts
/// six A values and loads two B vectors. With `-target-cpu` set the `addingProduct` calls
/// become FMA instructions. The k loop runs in index order, so each sum has a fixed order.
enum GemmMicroKernel {
    /// Rows of C per micro-tile.
    static let mr = 6
    /// Columns of C per micro-tile.
    static let nr = 16

    /// Writes the 6x16 product of packed `a` (kc x 6, k-major) and packed `b` (kc x 16, k-major)
    /// into `tile` (row-major, 16 columns).
    @inline(__always)
    static func run(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, tile: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 32, as: V.self)
            var av = V(repeating: pa[0])
            c00.addProduct(av, b0); c01.addProduct(av, b1)
            av = V(repeating: pa[1])
            c10.addProduct(av, b0); c11.addProduct(av, b1)
            av = V(repeating: pa[2])
            c20.addProduct(av, b0); c21.addProduct(av, b1)
            av = V(repeating: pa[3])
            c30.addProduct(av, b0); c31.addProduct(av, b1)
            av = V(repeating: pa[4])
            c40.addProduct(av, b0); c41.addProduct(av, b1)
            av = V(repeating: pa[5])
            c50.addProduct(av, b0); c51.addProduct(av, b1)
            pa += 6
            pb += 64
        }
        let t = UnsafeMutableRawPointer(tile)
        t.storeBytes(of: c00, toByteOffset: 0, as: V.self); t.storeBytes(of: c01, toByteOffset: 32, as: V.self)
        t.storeBytes(of: c10, toByteOffset: 64, as: V.self); t.storeBytes(of: c11, toByteOffset: 96, as: V.self)
        t.storeBytes(of: c20, toByteOffset: 128, as: V.self); t.storeBytes(of: c21, toByteOffset: 160, as: V.self)
        t.storeBytes(of: c30, toByteOffset: 192, as: V.self); t.storeBytes(of: c31, toByteOffset: 224, as: V.self)
        t.storeBytes(of: c40, toByteOffset: 256, as: V.self); t.storeBytes(of: c41, toByteOffset: 288, as: V.self)
        t.storeBytes(of: c50, toByteOffset: 320, as: V.self); t.storeBytes(of: c51, toByteOffset: 352, as: V.self)
    }
}
