import CEcCodes
import Foundation

/// Decodes the values of one GRIB message with ecCodes into cfgrib's order and float32: points as scanned,
/// every second row of an alternate-row-scanning grid turned round, missing (bitmap) points NaN.
///
/// Each message gets its own handle, made and deleted under `CLibraryLock`; the unpacking in between runs outside it,
/// so several messages decode at once (Debian's ecCodes is built thread-safe, with OpenMP locks around its shared state).
enum GRIBFieldDecoder {
    /// The values of `message`, read with `pread` from `descriptor`; `rows` x `columns` must match its point count.
    static func values(descriptor: Int32, message: GRIBMessage, rows: Int, columns: Int, path: String, variable: String) throws -> [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        try out.withUnsafeMutableBufferPointer {
            try decode(descriptor: descriptor, message: message, rows: rows, columns: columns, path: path, variable: variable,
                       scratch: GRIBDecodeScratch(), into: $0.baseAddress!)
        }
        return out
    }

    /// Decodes `message` into `rows` x `columns` values at `dst`, with `scratch` holding the message bytes and the doubles.
    static func decode(descriptor: Int32, message: GRIBMessage, rows: Int, columns: Int, path: String, variable: String,
                       scratch: GRIBDecodeScratch, into dst: UnsafeMutablePointer<Float>) throws {
        let bytes = scratch.messageBytes(message.length)
        let got = pread(descriptor, bytes, message.length, off_t(message.offset))
        guard got == message.length else {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(variable): GRIB message at byte \(message.offset) has \(max(got, 0)) of \(message.length) bytes")
        }
        guard let h = CLibraryLock.with({ codes_handle_new_from_message(nil, bytes, message.length) }) else {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(variable): ecCodes cannot parse the GRIB message at byte \(message.offset)")
        }
        defer { _ = CLibraryLock.with { codes_handle_delete(h) } }
        _ = codes_set_double(h, "missingValue", GRIBCFAttributes.missingValue)
        var n = 0
        var status = codes_get_size(h, "values", &n)
        if status == 0 && n != rows * columns {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(variable): GRIB message at byte \(message.offset) has \(n) values, its grid \(rows) x \(columns)")
        }
        let doubles = scratch.doubles(max(n, 1))
        if status == 0 { status = codes_get_double_array(h, "values", doubles, &n) }
        guard status == 0 else {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(variable): GRIB message at byte \(message.offset): "
                                               + String(cString: codes_get_error_message(status)))
        }
        guard n == rows * columns else {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(variable): GRIB message at byte \(message.offset) has \(n) values, its grid \(rows) x \(columns)")
        }
        let missing = Float.greatestFiniteMagnitude
        for i in 0..<n {
            let f = Float(doubles[i])
            dst[i] = f == missing ? .nan : f
        }
        if message.integer("alternativeRowScanning") == 1 && rows > 1 {
            for r in stride(from: 1, to: rows, by: 2) {
                var row = UnsafeMutableBufferPointer(start: dst + r * columns, count: columns)
                row.reverse()
            }
        }
    }
}

/// One worker's memory for decoding GRIB messages, grown to the largest message and field it meets.
final class GRIBDecodeScratch {
    private let message = GrowableScratch(), decoded = GrowableScratch(), whole = GrowableScratch()

    /// Memory for a message of `count` bytes.
    func messageBytes(_ count: Int) -> UnsafeMutableRawPointer { message.bytes(count) }

    /// Memory for `count` decoded doubles.
    func doubles(_ count: Int) -> UnsafeMutablePointer<Double> { decoded.values(count, of: Double.self) }

    /// Memory for one whole field of `count` values, when only part of it is wanted.
    func field(_ count: Int) -> UnsafeMutablePointer<Float> { whole.values(count, of: Float.self) }
}
