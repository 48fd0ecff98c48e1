import XCTest
import WXCore
import WXKernels
import WXNN

/// Every layer: forward against the Double reference, backward against central differences of it (in Double).
final class LayerGradientTests: XCTestCase {
    let globe = ConvPadding(height: .reflect(1), width: .circular(1))

    /// Our gradients named as the parameters (under `prefix`) plus extra named inputs.
    func named<P: ParameterSet>(_ grads: P, prefix: String = "", _ inputs: [String: Tensor]) -> [String: Tensor] {
        var d = Dictionary(uniqueKeysWithValues: grads.named(prefix: prefix).map { ($0.name, $0.tensor) })
        for (k, v) in inputs { d[k] = v }
        return d
    }

    func testConvLayers() throws {
        for (k, stride, pad) in [(3, 1, globe), (3, 2, globe), (3, 1, ConvPadding(.zeros(1))), (1, 1, ConvPadding.none)] {
            var rng = SplitMix64(seed: 1)
            let layer = ConvLayer(inChannels: 3, outChannels: 4, kernelSize: k, stride: stride, padding: pad)
            let p = randomized(layer.initialParameters(&rng), seed: 2)
            let x = randomTensor([2, 3, 6, 8], seed: 3)
            let (y, cache) = try layer.forward(x, p)
            let values = refValues(p).merging(["x": RefTensor(x)]) { a, _ in a }
            let ref = { (v: RefValues) in try Ref.conv(v["x"]!, v["weight"]!, v["bias"]!, stride: stride, padding: pad) }
            XCTAssertLessThan(relativeError(y.array.map(Double.init), try ref(values).v), 1e-5, "conv k\(k) s\(stride) forward")
            let r = randomTensor(y.shape, seed: 4)
            let (gx, gp) = try layer.backward(r, cache, p)
            try checkGradients("conv k\(k) s\(stride) \(pad)", values: values, ours: named(gp, ["x": gx!]), r: r.array.map(Double.init), reference: ref)
        }
    }

    func testLinearLayer() throws {
        var rng = SplitMix64(seed: 5)
        let layer = LinearLayer(inFeatures: 5, outFeatures: 3)
        let p = layer.initialParameters(&rng)
        let x = randomTensor([4, 5], seed: 6)
        let (y, cache) = try layer.forward(x, p)
        let values = refValues(p).merging(["x": RefTensor(x)]) { a, _ in a }
        let ref = { (v: RefValues) in Ref.linear(v["x"]!, v["weight"]!, v["bias"]!) }
        XCTAssertLessThan(relativeError(y.array.map(Double.init), ref(values).v), 1e-5)
        let r = randomTensor(y.shape, seed: 7)
        let (gx, gp) = try layer.backward(r, cache, p)
        try checkGradients("linear", values: values, ours: named(gp, ["x": gx]), r: r.array.map(Double.init), reference: ref)
    }

    func testGroupNormSiLULayerWithAndWithoutModulation() throws {
        for film in [false, true] {
            let layer = GroupNormSiLULayer(channels: 4, groups: 2)
            let p = randomized(layer.initialParameters(), seed: 8)
            let x = randomTensor([2, 4, 3, 5], seed: 9)
            let scale = film ? randomTensor([2, 4], seed: 10) : nil, shift = film ? randomTensor([2, 4], seed: 11) : nil
            let (y, cache) = try layer.forward(x, p, scale: scale, shift: shift)
            var values = refValues(p).merging(["x": RefTensor(x)]) { a, _ in a }
            if film { values["scale"] = RefTensor(scale!); values["shift"] = RefTensor(shift!) }
            let ref = { (v: RefValues) -> RefTensor in
                let n = Ref.groupNorm(v["x"]!, groups: 2, v["weight"]!, v["bias"]!)
                return Ref.silu(film ? Ref.film(n, v["scale"]!, v["shift"]!) : n)
            }
            XCTAssertLessThan(relativeError(y.array.map(Double.init), ref(values).v), 1e-5)
            let r = randomTensor(y.shape, seed: 12)
            let (gx, gp, gs, gt) = try layer.backward(r, cache, p)
            var ours = named(gp, ["x": gx])
            if film { ours["scale"] = gs; ours["shift"] = gt }
            try checkGradients("groupNormSiLU film \(film)", values: values, ours: ours, r: r.array.map(Double.init), reference: ref)
        }
    }

    func testGroupNormLayer() throws {
        let layer = GroupNormLayer(channels: 6, groups: 3)
        let p = randomized(layer.initialParameters(), seed: 13)
        let x = randomTensor([2, 6, 2, 3], seed: 14)
        let (y, cache) = try layer.forward(x, p)
        let values = refValues(p).merging(["x": RefTensor(x)]) { a, _ in a }
        let ref = { (v: RefValues) in Ref.groupNorm(v["x"]!, groups: 3, v["weight"]!, v["bias"]!) }
        XCTAssertLessThan(relativeError(y.array.map(Double.init), ref(values).v), 1e-5)
        let r = randomTensor(y.shape, seed: 15)
        let (gx, gp) = try layer.backward(r, cache, p)
        try checkGradients("groupNorm", values: values, ours: named(gp, ["x": gx]), r: r.array.map(Double.init), reference: ref)
    }

    func testResBlockWithEmbeddingAndSkip() throws {
        for (cin, cout, width) in [(4, 6, 5), (4, 4, 5), (4, 6, 0)] {
            var rng = SplitMix64(seed: 16)
            let block = ResBlock(inChannels: cin, outChannels: cout, embeddingWidth: width, groups: 2, padding: globe)
            let p = randomized(block.initialParameters(&rng, zeroResidual: true), seed: 17)
            let x = randomTensor([2, cin, 4, 6], seed: 18)
            let e = width > 0 ? randomTensor([2, width], seed: 19) : nil
            let (y, cache) = try block.forward(x, embedding: e, p)
            var values = refValues(p).merging(["x": RefTensor(x)]) { a, _ in a }
            if let e { values["e"] = RefTensor(e) }
            let ref = { (v: RefValues) in try Ref.resBlock(v["x"]!, v["e"], v, "", groups: 2, padding: self.globe) }
            XCTAssertLessThan(relativeError(y.array.map(Double.init), try ref(values).v), 1e-5, "resblock \(cin)->\(cout) forward")
            let r = randomTensor(y.shape, seed: 20)
            let (gx, gp, ge) = try block.backward(r, cache, p)
            var ours = named(gp, ["x": gx])
            if width > 0 { ours["e"] = ge }
            try checkGradients("resblock \(cin)->\(cout) emb \(width)", values: values, ours: ours, r: r.array.map(Double.init), reference: ref)
        }
    }

    func testAttentionBlock() throws {
        var rng = SplitMix64(seed: 21)
        let block = AttentionBlock(channels: 4, heads: 2, groups: 2)
        let p = randomized(block.initialParameters(&rng, zeroResidual: true), seed: 22)
        let x = randomTensor([2, 4, 2, 3], seed: 23)
        let (y, cache) = try block.forward(x, p)
        let values = refValues(p).merging(["x": RefTensor(x)]) { a, _ in a }
        let ref = { (v: RefValues) in Ref.attentionBlock(v["x"]!, v, "", groups: 2, heads: 2) }
        XCTAssertLessThan(relativeError(y.array.map(Double.init), ref(values).v), 1e-5)
        let r = randomTensor(y.shape, seed: 24)
        let (gx, gp) = try block.backward(r, cache, p)
        try checkGradients("attention block", values: values, ours: named(gp, ["x": gx]), r: r.array.map(Double.init), reference: ref)
    }

    func testUpsampleLayer() throws {
        var rng = SplitMix64(seed: 25)
        let layer = UpsampleLayer(channels: 3, padding: globe)
        let p = layer.initialParameters(&rng)
        let x = randomTensor([2, 3, 2, 4], seed: 26)
        let (y, cache) = try layer.forward(x, p)
        XCTAssertEqual(y.shape, [2, 3, 4, 8])
        let values = refValues(p).merging(["x": RefTensor(x)]) { a, _ in a }
        let ref = { (v: RefValues) in try Ref.conv(Ref.upsample2x(v["x"]!), v["conv.weight"]!, v["conv.bias"]!, padding: self.globe) }
        XCTAssertLessThan(relativeError(y.array.map(Double.init), try ref(values).v), 1e-5)
        let r = randomTensor(y.shape, seed: 27)
        let (gx, gp) = try layer.backward(r, cache, p)
        try checkGradients("upsample", values: values, ours: named(gp, ["x": gx]), r: r.array.map(Double.init), reference: ref)
    }

    func testConditioningEmbedding() throws {
        var rng = SplitMix64(seed: 28)
        let scalars = [ScalarFeatures(name: "noise", features: 6, minPeriod: 0.1, maxPeriod: 20),
                       ScalarFeatures(name: "lead", features: 2, minPeriod: 240, maxPeriod: 240)]
        let emb = ConditioningEmbedding(scalars: scalars, width: 5)
        let p = emb.initialParameters(&rng)
        let s = Tensor(shape: [3, 2], values: [-1.2, 24, 0.3, 72, 2.5, 120])
        let (e, cache) = try emb.forward(s, p)
        let values = refValues(p)
        let ref = { (v: RefValues) in Ref.embedding(RefTensor(s), v, scalars, "") }
        XCTAssertLessThan(relativeError(e.array.map(Double.init), ref(values).v), 1e-5)
        let r = randomTensor(e.shape, seed: 29)
        let gp = try emb.backward(r, cache, p)
        try checkGradients("embedding", values: values, ours: named(gp, [:]), r: r.array.map(Double.init), reference: ref)
    }
}
