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
        let t = Tensor(zeros: [3, 5, 7])
        XCTAssertEqual(Int(bitPattern: t.storage.pointer) % TensorStorage.alignment, 0)
    }
}
