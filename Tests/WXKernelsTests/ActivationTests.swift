import Foundation
import XCTest
import WXCore
import WXKernels

/// SiLU, exact GELU and tanh GELU in Double.
func referenceActivation(_ name: String, _ x: Double) -> Double {
    switch name {
    case "silu": return x / (1 + exp(-x))
    case "gelu_none": return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
    default: return 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }
}

final class ActivationTests: XCTestCase {
    func forward(_ name: String, _ x: Tensor) -> Tensor {
        switch name {
        case "silu": return Activations.silu(x)
        case "gelu_none": return Activations.gelu(x)
        default: return Activations.gelu(x, approximation: .tanh)
        }
    }

    func backward(_ name: String, _ x: Tensor, _ g: Tensor) throws -> Tensor {
        switch name {
        case "silu": return try Activations.siluBackward(x, gradOutput: g)
        case "gelu_none": return try Activations.geluBackward(x, gradOutput: g)
        default: return try Activations.geluBackward(x, gradOutput: g, approximation: .tanh)
        }
    }

    let names = ["silu", "gelu_none", "gelu_tanh"]

    func testForwardAndBackwardMatchReferenceAndFiniteDifferences() throws {
        var rng = SeededRandom(20)
        for name in names {
            for shape in [[1], [3, 1, 1, 1], [2, 3, 5, 7], [40_000]] {
                let x = rng.tensor(shape, -8, 8), g = rng.tensor(shape)
                assertClose(forward(name, x), x.doubles.map { referenceActivation(name, $0) }, shape: shape,
                            tolerance: forwardTolerance, "\(name) \(shape)")
                // Each output depends on one input, so the finite difference is taken elementwise.
                let h = 1e-6
                let fd = zip(x.doubles, g.doubles).map { v, gv in
                    gv * (referenceActivation(name, v + h) - referenceActivation(name, v - h)) / (2 * h)
                }
                assertClose(try backward(name, x, g), fd, shape: shape, tolerance: gradientTolerance, "\(name)' \(shape)")
            }
        }
    }

    func testExtremeInputsStayFinite() throws {
        let x = Tensor(shape: [6], values: [-1000, -90, -1e-30, 0, 90, 1000])
        for name in names {
            XCTAssertTrue(forward(name, x).array.allSatisfy(\.isFinite), name)
            XCTAssertTrue(try backward(name, x, Tensor(shape: [6], repeating: 1)).array.allSatisfy(\.isFinite), name)
        }
    }

    func testMatchesPyTorch() throws {
        for name in names {
            let x = try OpsGolden.load(name, "x")
            try OpsGolden.check(forward(name, x), name, "y", tolerance: forwardTolerance)
            try OpsGolden.check(try backward(name, x, try OpsGolden.load(name, "go")), name, "gx", tolerance: gradientTolerance)
        }
        // torch's default GELU is the exact erf form: the tanh form is much further from it.
        let x = try OpsGolden.load("gelu_none", "x")
        let torchDefault = try OpsGolden.load("gelu_none", "y").doubles
        let exact = relativeError(Activations.gelu(x).array, torchDefault)
        let tanhForm = relativeError(Activations.gelu(x, approximation: .tanh).array, torchDefault)
        XCTAssertGreaterThan(tanhForm, 100 * max(exact, 1e-7), "exact \(exact), tanh \(tanhForm)")
    }

    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(21)
        let x = rng.tensor([70_001], -5, 5), g = rng.tensor([70_001])
        for name in names {
            let one = try Parallel.withThreads(1) { [forward(name, x), try backward(name, x, g)] }
            let two = try Parallel.withThreads(2) { [forward(name, x), try backward(name, x, g)] }
            for (a, b) in zip(one, two) { assertSameBits(a, b, name) }
        }
    }

    func testShapeMismatchThrows() {
        XCTAssertThrowsError(try Activations.siluBackward(Tensor(zeros: [3]), gradOutput: Tensor(zeros: [4])))
    }
}
