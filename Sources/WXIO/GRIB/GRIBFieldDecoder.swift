import CEcCodes
import Foundation

/// Decodes the values of one GRIB message with ecCodes into cfgrib's order and float32: points as scanned,
/// every second row of an alternate-row-scanning grid turned round, missing (bitmap) points NaN.
enum GRIBFieldDecoder {
    /// The values of `message`, read with `pread` from `descriptor`; `rows` x `columns` must match its point count.
    static func values(descriptor: Int32, message: GRIBMessage, rows: Int, columns: Int, path: String, variable: String) throws -> [Float] {
        var bytes = [UInt8](repeating: 0, count: message.length)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, message.length, off_t(message.offset)) }
        guard got == message.length else {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(variable): GRIB message at byte \(message.offset) has \(max(got, 0)) of \(message.length) bytes")
        }
        let decoded: [Double] = try CLibraryLock.with {
            guard let h = bytes.withUnsafeBytes({ codes_handle_new_from_message_copy(nil, $0.baseAddress, message.length) }) else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(variable): ecCodes cannot parse the GRIB message at byte \(message.offset)")
            }
            defer { codes_handle_delete(h) }
            _ = codes_set_double(h, "missingValue", GRIBCFAttributes.missingValue)
            var n = 0
            var status = codes_get_size(h, "values", &n)
            var out = [Double](repeating: 0, count: max(n, 1))
            if status == 0 { status = codes_get_double_array(h, "values", &out, &n) }
            guard status == 0 else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(variable): GRIB message at byte \(message.offset): "
                                                   + String(cString: codes_get_error_message(status)))
            }
            return Array(out.prefix(n))
        }
        guard decoded.count == rows * columns else {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading \(variable): GRIB message at byte \(message.offset) has \(decoded.count) values, its grid \(rows) x \(columns)")
        }
        let missing = Float.greatestFiniteMagnitude
        var values = decoded.map { x -> Float in let f = Float(x); return f == missing ? .nan : f }
        if message.integer("alternativeRowScanning") == 1 && rows > 1 {
            for r in stride(from: 1, to: rows, by: 2) { values[(r * columns)..<((r + 1) * columns)].reverse() }
        }
        return values
    }
}
