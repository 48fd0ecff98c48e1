import XCTest
import WXCore
import WXNN
import WXGenerative

/// Checks a VAE rollout's analytic gradients against central differences of `loss` at the largest entry of every
/// third parameter tensor (and each `conv_out.weight`) that passes `include`; returns the top-level modules checked.
func checkRolloutGradients(_ p: VAEModel.Parameters, grads: [String: Tensor], include: (String) -> Bool = { _ in true },
                           loss: (VAEModel.Parameters) throws -> Double,
                           file: StaticString = #filePath, line: UInt = #line) throws -> Set<String> {
    var checked = Set<String>()
    for (i, (name, t)) in p.named().enumerated() where (i % 3 == 0 || name.hasSuffix("conv_out.weight")) && include(name) {
        let g = grads[name]!
        let idx = g.array.indices.max { abs(g.array[$0]) < abs(g.array[$1]) }!
        guard abs(g.array[idx]) > 1e-3 else { continue }
        // A small step: the kinks of the CRPS over several steps make larger differences biased.
        let h: Float = 5e-4 * max(1, abs(t.array[idx]))
        func shifted(_ delta: Float) throws -> Double {
            var q = p
            q.visit("") { nm, u in if nm == name { u.withUnsafeMutableBufferPointer { $0[idx] += delta } } }
            return try loss(q)
        }
        let fd = (try shifted(h) - shifted(-h)) / Double(2 * h)
        XCTAssertEqual(fd, Double(g.array[idx]), accuracy: 0.03 * abs(Double(g.array[idx])) + 3e-4, "\(name)[\(idx)]",
                       file: file, line: line)
        checked.insert(String(name.prefix { $0 != "." }))
    }
    return checked
}
