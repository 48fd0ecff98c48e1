import XCTest
import WXCore

final class TensorTests: XCTestCase {
    func testCopyOnWrite() {
        var a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = a
        a[1, 2] = 60
        XCTAssertEqual(a[1, 2], 60)
        XCTAssertEqual(b[1, 2], 6)
        XCTAssertEqual(a.reshaped([3, 2])[2, 1], 60)
    }

    func testStorageIsAligned() {
        for count in [1, 3, 105, 4097, 3_000_000] {
            let t = Tensor(zeros: [count])
            XCTAssertEqual(Int(bitPattern: t.storage.pointer) % TensorStorage.alignment, 0, "\(count)")
            XCTAssertTrue(t.array.allSatisfy { $0 == 0 }, "\(count)")
        }
    }

    func testUninitializedShapeKeepsWhatTheBodyWrites() {
        let t = Tensor(unsafeUninitializedShape: [2, 3]) { buf in
            XCTAssertEqual(buf.count, 6)
            XCTAssertEqual(Int(bitPattern: buf.baseAddress!) % TensorStorage.alignment, 0)
            for i in 0..<buf.count { buf[i] = Float(i) * 0.5 }
        }
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.array, [0, 0.5, 1, 1.5, 2, 2.5])
    }
}
