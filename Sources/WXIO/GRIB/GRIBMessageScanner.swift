import CEcCodes
import Foundation
import WXCore

/// Indexes the messages of a GRIB file with ecCodes, reading only the keys the hypercube, filters and `inspect` need.
enum GRIBMessageScanner {
    /// Keys read from every message: cfgrib's index, attribute and grid keys, plus a few that `inspect` shows.
    static let keys: [String] = [
        "edition", "centre", "centreDescription", "subCentre",
        "paramId", "dataType", "numberOfPoints", "typeOfLevel", "stepUnits", "stepType", "gridType", "uvRelativeToGrid",
        "shortName", "units", "name", "cfName", "cfVarName", "totalNumber", "numberOfDirections", "numberOfFrequencies",
        "NV", "gridDefinitionDescription",
        "number", "dataDate", "dataTime", "endStep", "level", "validityDate", "validityTime",
        "Nx", "Ny", "N", "Ni", "Nj", "iDirectionIncrementInDegrees", "jDirectionIncrementInDegrees", "iScansNegatively",
        "jScansPositively", "jPointsAreConsecutive", "alternativeRowScanning",
        "latitudeOfFirstGridPointInDegrees", "latitudeOfLastGridPointInDegrees",
        "longitudeOfFirstGridPointInDegrees", "longitudeOfLastGridPointInDegrees",
        "M", "K", "J", "LaDInDegrees", "LoVInDegrees", "DxInMetres", "DyInMetres", "Latin1InDegrees", "Latin2InDegrees",
        "latitudeOfSouthernPoleInDegrees", "longitudeOfSouthernPoleInDegrees", "pl",
        "packingType", "bitsPerValue", "bitmapPresent",
    ]

    /// Keys ecCodes finds, like `paramId`, by searching its parameter tables (each read costs a search of thousands of
    /// entries); the tables give one value per parameter, so they are read from the first message of each parameter and
    /// shared by the others, as cfgrib reads them from a variable's first message. A filter on one reads it everywhere.
    static let parameterKeys: Set<String> = ["shortName", "units", "name", "cfName", "cfVarName"]

    /// The messages of the file at `path` (the `fileIndex`-th of those given together), with `extraKeys` read too.
    /// A damaged or truncated message throws `WXIOError.truncatedOrCorrupt` naming the file and its byte offset.
    static func scan(path: String, fileIndex: Int, extraKeys: [String] = []) throws -> [GRIBMessage] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw WXIOError.fileNotFound(path: path)
        }
        guard let fp = fopen(path, "rb") else { throw WXIOError.fileNotFound(path: path) }
        defer { fclose(fp) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let wanted = keys + extraKeys.filter { !keys.contains($0) }
        let shared = parameterKeys.subtracting(extraKeys)
        var perParameter: [String: (keys: Attributes, text: [String: String])] = [:]
        var out: [GRIBMessage] = []
        var end = 0
        while true {
            var err: Int32 = 0
            let message: GRIBMessage? = try CLibraryLock.with {
                guard let h = codes_handle_new_from_file(nil, fp, PRODUCT_GRIB, &err) else { return nil }
                defer { codes_handle_delete(h) }
                var off: off_t = 0
                var len = 0
                _ = codes_get_message_offset(h, &off)
                _ = codes_get_message_size(h, &len)
                guard len > 0, Int(off) + len <= size else {
                    throw WXIOError.truncatedOrCorrupt(path: path, detail: "GRIB message \(out.count + 1) at byte \(off) claims \(len) bytes, past the end of the file (\(size) bytes)")
                }
                var keys: Attributes = [:]
                var text: [String: String] = [:]
                for k in wanted where !shared.contains(k) { read(h, k, into: &keys, &text) }
                let parameter = ["edition", "centre", "paramId"].map { text[$0] ?? "undef" }.joined(separator: "/")
                if let known = perParameter[parameter] {
                    keys.merge(known.keys) { $1 }
                    text.merge(known.text) { $1 }
                } else {
                    var pk: Attributes = [:]
                    var pt: [String: String] = [:]
                    for k in wanted where shared.contains(k) { read(h, k, into: &pk, &pt) }
                    perParameter[parameter] = (pk, pt)
                    keys.merge(pk) { $1 }
                    text.merge(pt) { $1 }
                }
                return GRIBMessage(fileIndex: fileIndex, offset: Int(off), length: len, keys: keys, text: text)
            }
            if let message {
                out.append(message)
                end = message.offset + message.length
                continue
            }
            if err != 0 {
                let reason = CLibraryLock.with { String(cString: codes_get_error_message(err)) }
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "GRIB message \(out.count + 1) (from byte \(end)): \(reason)")
            }
            break
        }
        if out.isEmpty {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "no complete GRIB message in \(size) bytes")
        }
        return out
    }

    /// Reads `key` of a message: its native value into `keys` (nothing when ecCodes has none or marks it missing) and,
    /// for a scalar, its text form into `text`; each value is asked of ecCodes once.
    static func read(_ h: OpaquePointer, _ key: String, into keys: inout Attributes, _ text: inout [String: String]) {
        guard codes_is_defined(h, key) != 0 else { return }
        var count = 0
        let sized = codes_get_size(h, key, &count) == 0
        var type: Int32 = 0
        guard codes_get_native_type(h, key, &type) == 0 else {
            // ecCodes prints an error for an array read as text, so only scalars get a text form.
            if sized, count == 1, let s = string(h, key) { text[key] = s }
            return
        }
        guard sized, count == 1 else {
            if let v = native(h, key) { keys[key] = v }
            return
        }
        let s = string(h, key)
        if let s { text[key] = s }
        switch type {
        case CODES_TYPE_LONG:
            // paramId is a concept: ecCodes' integer is its text parsed (atol), so the one table search serves both.
            if key == "paramId", let s, let v = Int(s) {
                if v != GRIB_MISSING_LONG { keys[key] = .integers([Int64(v)]) }
                return
            }
            var v = 0
            if codes_get_long(h, key, &v) == 0, v != GRIB_MISSING_LONG { keys[key] = .integers([Int64(v)]) }
        case CODES_TYPE_DOUBLE:
            var v = 0.0
            if codes_get_double(h, key, &v) == 0, v != GRIB_MISSING_DOUBLE { keys[key] = .doubles([v]) }
        default:
            if let s { keys[key] = .string(s) }
        }
    }

    /// A key's value in its native type; nil when ecCodes has none (or marks it missing).
    static func native(_ h: OpaquePointer, _ key: String) -> AttributeValue? {
        var type: Int32 = 0
        guard codes_get_native_type(h, key, &type) == 0 else { return nil }
        var n = 0
        guard codes_get_size(h, key, &n) == 0 else { return nil }
        if n > 1 && type == CODES_TYPE_LONG {
            var vals = [Int](repeating: 0, count: n)
            guard codes_get_long_array(h, key, &vals, &n) == 0 else { return nil }
            return .integers(vals.prefix(n).map { Int64($0) })
        }
        if n != 1 { return type == CODES_TYPE_STRING ? string(h, key).map { .string($0) } : nil }
        switch type {
        case CODES_TYPE_LONG:
            var v = 0
            guard codes_get_long(h, key, &v) == 0, v != GRIB_MISSING_LONG else { return nil }
            return .integers([Int64(v)])
        case CODES_TYPE_DOUBLE:
            var v = 0.0
            guard codes_get_double(h, key, &v) == 0, v != GRIB_MISSING_DOUBLE else { return nil }
            return .doubles([v])
        default:
            return string(h, key).map { .string($0) }
        }
    }

    /// A key formatted as text by ecCodes.
    static func string(_ h: OpaquePointer, _ key: String) -> String? {
        var buf = [CChar](repeating: 0, count: 1024)
        var len = buf.count
        guard codes_get_string(h, key, &buf, &len) == 0 else { return nil }
        return String(cString: buf)
    }

    /// A key's array of doubles (e.g. `distinctLatitudes`) from a handle.
    static func doubles(_ h: OpaquePointer, _ key: String) -> [Double]? {
        var n = 0
        guard codes_get_size(h, key, &n) == 0 else { return nil }
        var out = [Double](repeating: 0, count: max(n, 1))
        guard codes_get_double_array(h, key, &out, &n) == 0 else { return nil }
        return Array(out.prefix(n))
    }
}
