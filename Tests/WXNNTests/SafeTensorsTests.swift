import Foundation
import XCTest
import WXCore
import WXNN

final class SafeTensorsTests: XCTestCase {
    /// Written tensors read back bit for bit, with metadata; the header is 8-byte aligned.
    func testRoundTrip() throws {
        let dir = try temporaryDirectory(self)
        let path = dir.appendingPathComponent("t.safetensors").path
        let a = Tensor(shape: [2, 3], values: [1, -2, 3.5, .pi, -0, 1e-30]), b = Tensor(shape: [], values: [7])
        try SafeTensors.write([("x.weight", a), ("y", b)], metadata: ["format": "pt"], to: path)
        let c = try SafeTensors.read(path)
        XCTAssertEqual(c.metadata, ["format": "pt"])
        XCTAssertEqual(c.tensors["x.weight"]?.shape, [2, 3])
        XCTAssertEqual(c.tensors["x.weight"]?.array.map(\.bitPattern), a.array.map(\.bitPattern))
        XCTAssertEqual(c.tensors["y"]?.shape, [])
        XCTAssertEqual(c.tensors["y"]?.array, [7])
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(n % 8, 0)
        XCTAssertEqual(data.count, 8 + n + 4 * 7)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["t.safetensors"])
    }

    /// A file written by Python's safetensors in F32, F64, F16 and BF16 reads as float32 (F16/BF16 exactly widened).
    func testReadsPythonDTypes() throws {
        let c = try SafeTensors.read(NNGolden.dir + "/safetensors_dtypes.safetensors")
        let x: [Float] = [0.5, -1.25, 3.0, 1e-3, 65504.0, -2.0]
        XCTAssertEqual(c.tensors["f32"]?.array, x)
        XCTAssertEqual(c.tensors["f64"]?.array, x)
        XCTAssertEqual(c.tensors["f16"]?.array, x.map { Float(Float16($0)) })
        XCTAssertEqual(c.tensors["f16"]?.shape, [2, 3])
        let bf16 = c.tensors["bf16"]!.array
        for (got, want) in zip(bf16, x) { XCTAssertEqual(got, want, accuracy: abs(want) / 128) }
        XCTAssertEqual(c.tensors["scalar"]?.shape, [])
        XCTAssertEqual(c.tensors["scalar"]?.array, [2.5])
    }

    /// Damaged files are refused with the error that names what is wrong.
    func testBadFiles() throws {
        let dir = try temporaryDirectory(self)
        func file(_ header: String, body: Int, lengthDelta: Int = 0) -> Data {
            var d = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count + lengthDelta).littleEndian) { d.append(contentsOf: $0) }
            d.append(Data(header.utf8))
            d.append(Data(count: body))
            return d
        }
        func parse(_ d: Data) throws { _ = try SafeTensors.parse(d, path: "f") }
        XCTAssertThrowsError(try SafeTensors.read(dir.appendingPathComponent("none").path)) {
            guard case CheckpointError.fileNotFound = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try parse(Data([1, 2]))) { guard case CheckpointError.truncated = $0 else { return XCTFail("\($0)") } }
        let ok = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        XCTAssertNoThrow(try parse(file(ok, body: 8)))
        XCTAssertThrowsError(try parse(file(ok, body: 8, lengthDelta: 100))) {
            guard case CheckpointError.truncated = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try parse(file(ok, body: 4))) {
            guard case CheckpointError.truncated(_, let detail) = $0 else { return XCTFail("\($0)") }
            XCTAssert(detail.contains("tensor a"), detail)
        }
        XCTAssertThrowsError(try parse(file("[1,2]", body: 0))) { guard case CheckpointError.badHeader = $0 else { return XCTFail("\($0)") } }
        XCTAssertThrowsError(try parse(file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, body: 12))) {
            guard case CheckpointError.badHeader(_, let detail) = $0 else { return XCTFail("\($0)") }
            XCTAssert(detail.contains("tensor a"), detail)
        }
        XCTAssertThrowsError(try parse(file(#"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, body: 8))) {
            XCTAssertEqual($0 as? CheckpointError, .unsupportedDType(path: "f", tensor: "a", dtype: "I64"))
        }
        let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        XCTAssertThrowsError(try parse(file(overlap, body: 12))) {
            guard case CheckpointError.badHeader(_, let detail) = $0 else { return XCTFail("\($0)") }
            XCTAssert(detail.contains("overlap"), detail)
        }
    }
}
