import Foundation
import XCTest
import WXCore
import WXNN

/// The U-Net against its PyTorch mirror (scripts/golden/unet_torch.py) on tensors PyTorch saved
/// (scripts/golden/make_nn_golden.py): the same weights, loaded strictly under PyTorch's state_dict names, must give
/// PyTorch's output, input gradients and every parameter gradient.
final class UNetTorchGoldenTests: XCTestCase {
    func testForwardAndBackwardMatchPyTorch() throws {
        let config = try JSONDecoder().decode(UNetConfig.self,
                                              from: Data(contentsOf: URL(fileURLWithPath: NNGolden.dir + "/unet_torch.json")))
        XCTAssertFalse(config.zeroInit, "the golden weights are all random")
        let source = NNGolden.dir + "/unet_torch.safetensors"
        let golden = try SafeTensors.read(source).tensors
        func tensor(_ name: String) throws -> Tensor { try XCTUnwrap(golden[name], "\(name) in the golden file") }

        let net = try UNet(config)
        var rng = SplitMix64(seed: 3)
        var p = net.initialParameters(&rng)
        let ours = Set(p.named().map(\.name))
        let torchParams = Set(golden.keys.filter { $0.hasPrefix("param.") }.map { String($0.dropFirst("param.".count)) })
        XCTAssertEqual(ours, torchParams, "wxens's parameter names are PyTorch's state_dict keys")
        let torchGrads = Set(golden.keys.filter { $0.hasPrefix("grad.") }.map { String($0.dropFirst("grad.".count)) })
        XCTAssertEqual(torchGrads, ours.union(["input", "condition"]), "PyTorch saved a gradient for every parameter")
        // Strict: throws on a missing or unexpected name or a shape that differs.
        try p.load(golden, source: source, prefix: "param.")

        let (y, cache) = try net.forward(try tensor("input"), condition: try tensor("condition"), scalars: try tensor("scalars"), p)
        let g = try net.backward(try tensor("loss_weight"), cache, p, inputGradient: true)

        // float32 on both sides, summed in different orders (Winograd, blocked GEMM, SDPA): ~1e-6 apart in practice,
        // against a tolerance of 1e-4 of each tensor's largest value.
        let tolerance = 1e-4
        func check(_ what: String, _ a: Tensor?, _ reference: Tensor, file: StaticString = #filePath, line: UInt = #line) {
            guard let a else { return XCTFail("\(what): no gradient", file: file, line: line) }
            XCTAssertEqual(a.shape, reference.shape, "\(what): shape", file: file, line: line)
            let e = relativeError(a.array.map(Double.init), reference.array.map(Double.init))
            XCTAssertLessThanOrEqual(e, tolerance, "\(what): max |wxens - torch| / max |torch| = \(e)", file: file, line: line)
        }
        check("output", y, try tensor("output"))
        check("grad.input", g.input, try tensor("grad.input"))
        check("grad.condition", g.condition, try tensor("grad.condition"))

        let largest = try ours.map { name in try tensor("grad." + name).array.map(abs).max()! }.max()!
        var compared = 0
        for (name, ga) in g.parameters.named() {
            let reference = try tensor("grad." + name)
            if name.hasSuffix(".k.bias") {
                // Softmax is invariant to the key bias (it shifts a query's logits by one constant): the exact gradient
                // is zero, and both sides hold rounding noise only.
                XCTAssertEqual(ga.shape, reference.shape, "grad.\(name): shape")
                for t in [ga, reference] { XCTAssertLessThan(t.array.map(abs).max()!, 1e-5 * largest, "grad.\(name) is noise") }
            } else {
                check("grad." + name, ga, reference)
            }
            compared += 1
        }
        XCTAssertEqual(compared, ours.count)
    }
}
