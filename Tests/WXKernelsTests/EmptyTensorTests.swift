import XCTest
import WXCore
import WXKernels

/// Tensors with a zero extent go through every op without crashing and keep their shapes.
final class EmptyTensorTests: XCTestCase {
    func testZeroExtentsAreHandled() throws {
        let x = Tensor(zeros: [0, 4, 3, 3]), spatialEmpty = Tensor(zeros: [2, 4, 0, 3])
        for t in [x, spatialEmpty] {
            XCTAssertEqual(Activations.silu(t).shape, t.shape)
            XCTAssertEqual(try Activations.geluBackward(t, gradOutput: t).shape, t.shape)
            XCTAssertEqual(try Elementwise.mulBackward(t, Tensor(zeros: [4]), gradOutput: t).gradB.shape, [4])
            XCTAssertEqual(try Elementwise.addBackward(gradOutput: t, bShape: [t.shape[0], 4]).gradB.shape, [t.shape[0], 4])
            let (y, st) = try GroupNorm.forward(t, groups: 2, gamma: Tensor(zeros: [4]), beta: Tensor(zeros: [4]))
            XCTAssertEqual(y.shape, t.shape)
            let g = try GroupNorm.backward(t, groups: 2, gamma: Tensor(zeros: [4]), statistics: st, gradOutput: t)
            XCTAssertEqual(g.gradGamma?.shape, [4])
            XCTAssertEqual(try Upsample.nearest2x(t).count, 0)
            XCTAssertEqual(try Pooling.averagePool2x2(t).count, 0)
            XCTAssertEqual(Reductions.sum(t), 0)
            XCTAssertEqual(try Linear.pointwiseConv(t, weight: Tensor(zeros: [2, 4])).shape, [t.shape[0], 2, t.shape[2], 3])
        }
        let p = AttentionParameters(queryWeight: Tensor(zeros: [4, 4]), queryBias: Tensor(zeros: [4]), keyWeight: Tensor(zeros: [4, 4]),
                                    keyBias: Tensor(zeros: [4]), valueWeight: Tensor(zeros: [4, 4]), valueBias: Tensor(zeros: [4]),
                                    outputWeight: Tensor(zeros: [4, 4]), outputBias: Tensor(zeros: [4]), heads: 2)
        let (y, cache) = try SpatialAttention.forward(spatialEmpty, parameters: p)
        XCTAssertEqual(y.shape, spatialEmpty.shape)
        let (gx, gp) = try SpatialAttention.backward(spatialEmpty, parameters: p, cache: cache, gradOutput: spatialEmpty)
        XCTAssertEqual(gx.shape, spatialEmpty.shape)
        XCTAssertEqual(gp.queryWeight.array, [Float](repeating: 0, count: 16))
        XCTAssertEqual(try MatMul.matmul(Tensor(zeros: [0, 3]), Tensor(zeros: [3, 5])).shape, [0, 5])
    }
}
