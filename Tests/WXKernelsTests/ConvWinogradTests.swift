import XCTest
import WXCore
import WXKernels

/// The Winograd F(2x2, 3x3) path of the 3x3 stride-1 convolutions (forward and backward-data) against the Double
/// reference and against the direct kernel, on the shapes that take it (at least 32 input and output channels).
///
/// Tolerance: max |fast - reference| <= 1e-5 * max |reference|, as the direct kernel's tests; the transforms add a
/// few roundings per output (their coefficients are 0, +-1 and +-1/2).
final class ConvWinogradTests: XCTestCase {
    struct Case {
        var n, cin, cout, h, w: Int
        var padding: ConvPadding
    }

    /// Odd sizes, a partial last 16-tile block (w 33, 35), a partial last tile row and piece (h 5, 7, 1),
    /// channel counts that are not multiples of the 6-channel GEMM block, every padding mode, and no padding.
    static let cases: [Case] = [
        Case(n: 1, cin: 32, cout: 32, h: 8, w: 32, padding: ConvPadding(.zeros(1))),
        Case(n: 2, cin: 33, cout: 37, h: 5, w: 33, padding: ConvPadding(height: .reflect(1), width: .circular(1))),
        Case(n: 1, cin: 40, cout: 35, h: 7, w: 35, padding: ConvPadding(.replicate(1))),
        Case(n: 1, cin: 32, cout: 34, h: 1, w: 9, padding: ConvPadding(height: .zeros(1), width: .reflect(1))),
        Case(n: 1, cin: 36, cout: 32, h: 9, w: 1, padding: ConvPadding(height: .circular(1), width: .zeros(1))),
        Case(n: 2, cin: 32, cout: 38, h: 6, w: 40, padding: .none),
        Case(n: 1, cin: 48, cout: 50, h: 13, w: 70, padding: ConvPadding(height: .reflect(1), width: .circular(1))),
        // Cin * Cout above 64 * 64: groups of up to four tile blocks per pass over U (here 4 + 2, then 3 blocks).
        Case(n: 1, cin: 129, cout: 131, h: 5, w: 70, padding: ConvPadding(height: .reflect(1), width: .circular(1))),
    ]

    func testForwardMatchesReferenceAndDirect() throws {
        var rng = SeededRandom(31)
        for c in Self.cases {
            let x = rng.tensor([c.n, c.cin, c.h, c.w]), w = rng.tensor([c.cout, c.cin, 3, 3]), b = rng.tensor([c.cout])
            let r = try Conv2DReference.forward(input: x.doubles, inputShape: x.shape, weight: w.doubles, weightShape: w.shape,
                                                bias: b.doubles, stride: 1, padding: c.padding)
            let fast = try Conv2D.forward(x, weight: w, bias: b, padding: c.padding)
            let direct = try Conv2D.forward(x, weight: w, bias: b, padding: c.padding, algorithm: .direct)
            XCTAssertLessThan(relativeError(fast.array, r), 1e-5, "winograd forward \(c)")
            XCTAssertLessThan(relativeError(direct.array, r), 1e-5, "direct forward \(c)")
            // The two algorithms round differently: equal bits would mean the Winograd path never ran.
            XCTAssertNotEqual(fast.array.map(\.bitPattern), direct.array.map(\.bitPattern), "automatic took the direct path: \(c)")
        }
    }

    func testFusedBiasAndActivation() throws {
        var rng = SeededRandom(32)
        let x = rng.tensor([2, 32, 6, 21]), w = rng.tensor([34, 32, 3, 3]), b = rng.tensor([34])
        let pad = ConvPadding(height: .reflect(1), width: .circular(1))
        let r = try Conv2DReference.forward(input: x.doubles, inputShape: x.shape, weight: w.doubles, weightShape: w.shape,
                                            bias: b.doubles, stride: 1, padding: pad)
        for act in [ConvActivation.silu, .relu] {
            let y = try Conv2D.forward(x, weight: w, bias: b, padding: pad, activation: act)
            XCTAssertLessThan(relativeError(y.array, r.map { Double(act.apply(Float($0))) }), 1e-5, "\(act)")
        }
    }

    func testBackwardDataMatchesReferenceAndDirect() throws {
        var rng = SeededRandom(33)
        for c in Self.cases {
            let w = rng.tensor([c.cout, c.cin, 3, 3])
            let g = try ConvGeometry(inputShape: [c.n, c.cin, c.h, c.w], weightShape: w.shape, stride: 1, padding: c.padding)
            let go = rng.tensor(g.outputShape)
            let r = try Conv2DReference.backwardData(gradOutput: go.doubles, weight: w.doubles, weightShape: w.shape,
                                                     inputShape: g.inputShape, stride: 1, padding: c.padding)
            let fast = try Conv2D.backwardData(gradOutput: go, weight: w, inputShape: g.inputShape, padding: c.padding)
            let direct = try Conv2D.backwardData(gradOutput: go, weight: w, inputShape: g.inputShape, padding: c.padding,
                                                 algorithm: .direct)
            XCTAssertLessThan(relativeError(fast.array, r), 1e-5, "winograd backward-data \(c)")
            XCTAssertLessThan(relativeError(direct.array, r), 1e-5, "direct backward-data \(c)")
            XCTAssertNotEqual(fast.array.map(\.bitPattern), direct.array.map(\.bitPattern), "automatic took the direct path: \(c)")
        }
    }

    /// Outputs of 1, 2 and 3 rows (whole 4-row tiles are packed, the rows past the output as zeros), and the
    /// backward-data of mirrored or clamped latitude, whose folded border strips are 1-row convolutions.
    func testShortOutputsAndBorderStrips() throws {
        var rng = SeededRandom(36)
        let cases: [(Int, ConvPadding)] = [
            (1, ConvPadding(height: .replicate(1), width: .circular(1))), (1, ConvPadding(.zeros(1))),
            (2, ConvPadding(height: .reflect(1), width: .circular(1))), (2, ConvPadding(height: .replicate(1), width: .zeros(1))),
            (3, ConvPadding(height: .reflect(1), width: .circular(1))), (3, ConvPadding(.zeros(1))),
        ]
        for (h, pad) in cases {
            do {
                let (n, cin, cout, w) = (2, 32, 33, 21)
                let x = rng.tensor([n, cin, h, w]), wt = rng.tensor([cout, cin, 3, 3])
                let r = try Conv2DReference.forward(input: x.doubles, inputShape: x.shape, weight: wt.doubles, weightShape: wt.shape,
                                                    bias: nil, stride: 1, padding: pad)
                XCTAssertLessThan(relativeError(try Conv2D.forward(x, weight: wt, padding: pad).array, r), 1e-5, "forward h \(h) \(pad)")
                let go = rng.tensor([n, cout, h, w])
                let rb = try Conv2DReference.backwardData(gradOutput: go.doubles, weight: wt.doubles, weightShape: wt.shape,
                                                          inputShape: x.shape, stride: 1, padding: pad)
                let gi = try Conv2D.backwardData(gradOutput: go, weight: wt, inputShape: x.shape, padding: pad)
                XCTAssertLessThan(relativeError(gi.array, rb), 1e-5, "backward-data h \(h) \(pad)")
            }
        }
    }

    func testFewChannelsStayDirect() throws {
        var rng = SeededRandom(34)
        let x = rng.tensor([1, 16, 8, 20]), w = rng.tensor([64, 16, 3, 3])
        let pad = ConvPadding(.zeros(1))
        let auto = try Conv2D.forward(x, weight: w, padding: pad)
        let direct = try Conv2D.forward(x, weight: w, padding: pad, algorithm: .direct)
        XCTAssertEqual(auto.array.map(\.bitPattern), direct.array.map(\.bitPattern))
    }

    func testSameBitsAtOneTwoAndThreeThreads() throws {
        var rng = SeededRandom(35)
        let x = rng.tensor([2, 32, 11, 37]), w = rng.tensor([40, 32, 3, 3]), b = rng.tensor([40])
        let pad = ConvPadding(height: .reflect(1), width: .circular(1))
        let go = rng.tensor([2, 40, 11, 37])
        func run() throws -> [[UInt32]] {
            [try Conv2D.forward(x, weight: w, bias: b, padding: pad, activation: .silu),
             try Conv2D.backwardData(gradOutput: go, weight: w, inputShape: x.shape, padding: pad)].map { $0.array.map(\.bitPattern) }
        }
        let one = try Parallel.withThreads(1) { try run() }
        XCTAssertEqual(one, try Parallel.withThreads(2) { try run() })
        XCTAssertEqual(one, try Parallel.withThreads(3) { try run() })
    }
}
