import Foundation
import WXCore

/// Reads the little-endian float32, C-order `.npy` files the golden-value scripts write.
enum NumpyArrayReader {
    struct Failure: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "\(path): \(reason)" }
    }

    /// The array in `path` as a tensor.
    static func read(_ path: String) throws -> Tensor {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw Failure(path: path, reason: "not an .npy file")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else {
            guard bytes.count >= 12 else { throw Failure(path: path, reason: "truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        }
        guard bytes.count >= headerStart + headerLength else { throw Failure(path: path, reason: "truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '<f4'") else { throw Failure(path: path, reason: "dtype is not <f4: \(header)") }
        guard header.contains("'fortran_order': False") else { throw Failure(path: path, reason: "not C order") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw Failure(path: path, reason: "no shape in header \(header)")
        }
        let shape = header[open.upperBound..<close].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let body = headerStart + headerLength
        guard bytes.count == body + 4 * count else {
            throw Failure(path: path, reason: "expected \(count) float32 values, file has \(bytes.count - body) bytes")
        }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let o = body + 4 * i
            let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
            values[i] = Float(bitPattern: bits)
        }
        return Tensor(shape: shape, values: values)
    }
}
