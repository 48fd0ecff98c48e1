import XCTest
import WXCore
import WXKernels

/// Bad shapes and paddings give typed errors, not crashes.
final class ConvErrorTests: XCTestCase {
    func expect(_ body: () throws -> Any, matches check: (ConvError) -> Bool, _ what: String) {
        do {
            _ = try body()
            XCTFail("\(what): no error")
        } catch let e as ConvError {
            XCTAssertTrue(check(e), "\(what): unexpected \(e)")
            XCTAssertFalse(e.description.isEmpty)
        } catch {
            XCTFail("\(what): unexpected error type \(error)")
        }
    }

    func testBadInputsThrow() {
        let x = Tensor(zeros: [1, 3, 4, 4]), w = Tensor(zeros: [2, 3, 3, 3])
        expect({ try Conv2D.forward(Tensor(zeros: [3, 4, 4]), weight: w) },
               matches: { if case .badRank = $0 { return true } else { return false } }, "rank")
        expect({ try Conv2D.forward(x, weight: Tensor(zeros: [2, 4, 3, 3])) },
               matches: { if case .shapeMismatch = $0 { return true } else { return false } }, "channels")
        expect({ try Conv2D.forward(x, weight: w, bias: Tensor(zeros: [3])) },
               matches: { if case .shapeMismatch(let op, _) = $0 { return op == "bias" } else { return false } }, "bias")
        expect({ try Conv2D.forward(x, weight: w, stride: 0) },
               matches: { if case .badParameter = $0 { return true } else { return false } }, "stride")
        expect({ try Conv2D.forward(x, weight: w, padding: ConvPadding(height: .reflect(4), width: .zeros(1))) },
               matches: { if case .badPadding(let axis, _, _) = $0 { return axis == "height" } else { return false } }, "reflect")
        expect({ try Conv2D.forward(x, weight: w, padding: ConvPadding(height: .zeros(1), width: .circular(5))) },
               matches: { if case .badPadding(let axis, _, _) = $0 { return axis == "width" } else { return false } }, "circular")
        expect({ try Conv2D.forward(Tensor(zeros: [1, 3, 2, 2]), weight: w) },
               matches: { if case .emptyOutput = $0 { return true } else { return false } }, "empty")
        expect({ try Conv2D.backwardData(gradOutput: Tensor(zeros: [1, 2, 3, 3]), weight: w, inputShape: x.shape,
                                         padding: ConvPadding(.zeros(1))) },
               matches: { if case .shapeMismatch(let op, _) = $0 { return op == "gradOutput" } else { return false } }, "gradOutput")
        expect({ try ConvTranspose2D.forward(x, weight: Tensor(zeros: [3, 2, 3, 3]), stride: 2, padding: 1, outputPadding: 2) },
               matches: { if case .badParameter = $0 { return true } else { return false } }, "output padding")
    }
}
