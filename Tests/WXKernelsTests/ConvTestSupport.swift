import XCTest
import WXCore
import WXKernels

/// Deterministic pseudo-random numbers for test inputs (SplitMix64).
struct SeededRandom {
    var base: SplitMix64
    init(_ seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    /// Uniform in [-1, 1).
    mutating func uniform() -> Float { Float(Double(next() >> 11) / Double(1 << 53) * 2 - 1) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func tensor(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in uniform() })
    }
}

extension Tensor {
    var doubles: [Double] { array.map(Double.init) }
}

/// Largest |a - b| over the largest |b| (with a floor of 1e-30), i.e. error relative to the output scale.
func relativeError(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "relativeError: \(a.count) vs \(b.count) values")
    var num = 0.0, den = 1e-30
    for (x, y) in zip(a, b) {
        num = max(num, abs(Double(x) - y))
        den = max(den, abs(y))
    }
    return num / den
}

/// Every padding mode, as the tests sweep them.
let allAxisPaddings: [(Int) -> ConvAxisPadding] = [
    { .zeros($0) }, { .circular($0) }, { .reflect($0) }, { .replicate($0) },
]

/// Forward (with bias and SiLU) and backward-data of `x` by `w` against the Double reference, within 1e-5 of the
/// output scale; the output gradient is drawn from `rng`.
func checkForwardAndBackwardData(_ x: Tensor, _ w: Tensor, _ b: Tensor, padding pad: ConvPadding, algorithm: ConvAlgorithm,
                                 rng: inout SeededRandom, _ label: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
    let y = try Conv2D.forward(x, weight: w, bias: b, padding: pad, activation: .silu, algorithm: algorithm)
    let ry = try Conv2DReference.forward(input: x.doubles, inputShape: x.shape, weight: w.doubles, weightShape: w.shape,
                                         bias: b.doubles, padding: pad).map { Double(ConvActivation.silu.apply(Float($0))) }
    XCTAssertLessThan(relativeError(y.array, ry), 1e-5, "forward \(label)", file: file, line: line)
    let go = rng.tensor(y.shape)
    let gi = try Conv2D.backwardData(gradOutput: go, weight: w, inputShape: x.shape, padding: pad, algorithm: algorithm)
    let rgi = try Conv2DReference.backwardData(gradOutput: go.doubles, weight: w.doubles, weightShape: w.shape,
                                               inputShape: x.shape, padding: pad)
    XCTAssertLessThan(relativeError(gi.array, rgi), 1e-5, "backwardData \(label)", file: file, line: line)
}
