import Foundation
import WXCore

/// Reading Zarr's JSON metadata documents and turning their attributes into wxens `Attributes`.
enum ZarrJSON {
    /// The JSON object in `file` (relative to `store`), or nil when the file does not exist.
    static func object(at file: String, store: String) throws -> [String: Any]? {
        let full = store + "/" + file
        guard FileManager.default.fileExists(atPath: full) else { return nil }
        guard let data = FileManager.default.contents(atPath: full) else {
            throw WXIOError.unreadable(path: full, reason: "the Zarr metadata file cannot be read")
        }
        return try object(data, file: file, store: store)
    }

    /// The JSON object in `data`, read from `file` of `store`.
    static func object(_ data: Data, file: String, store: String) throws -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw ZarrError.invalidMetadata(store: store, file: file, detail: "not valid JSON (\(error.localizedDescription))")
        }
        guard let o = parsed as? [String: Any] else {
            throw ZarrError.invalidMetadata(store: store, file: file, detail: "the document is not a JSON object")
        }
        return o
    }

    /// True when a JSON number was written without a fraction or exponent (and is not a boolean).
    static func isInteger(_ n: NSNumber) -> Bool {
        let t = String(cString: n.objCType)
        return ["c", "C", "s", "S", "i", "I", "l", "L", "q", "Q"].contains(t) && !isBoolean(n)
    }

    /// True when a JSON value is `true` or `false`.
    static func isBoolean(_ value: Any) -> Bool {
        if value is Bool, let n = value as? NSNumber { return String(cString: n.objCType) == "c" || type(of: value) == Bool.self }
        return type(of: value) == Bool.self
    }

    /// A JSON number's exact double: Foundation on Linux returns long decimals as NSDecimalNumber, whose `doubleValue`
    /// can be an ulp off (-68.65201568603516 becomes -68.65201568603518), so those are parsed from their decimal text.
    static func double(_ n: NSNumber) -> Double {
        if let d = n as? NSDecimalNumber { return Double(d.description) ?? d.doubleValue }
        return n.doubleValue
    }

    /// A JSON number as an exact integer, if it is one.
    static func integer(_ value: Any?) -> Int64? {
        guard let value, !isBoolean(value), let n = value as? NSNumber else { return nil }
        if isInteger(n) { return n.int64Value }
        let d = double(n)
        return d.isFinite && d == d.rounded() && abs(d) < 9.0e18 ? Int64(d) : nil
    }

    /// A JSON array of non-negative integers (a shape or chunk shape).
    static func sizes(_ value: Any?) -> [Int]? {
        guard let a = value as? [Any] else { return nil }
        var out: [Int] = []
        for x in a {
            guard let i = integer(x), i >= 0, i <= Int64(Int.max) else { return nil }
            out.append(Int(i))
        }
        return out
    }

    /// One attribute value: text, integers, doubles or a list of texts; nil for objects, nulls and mixed lists.
    static func attributeValue(_ value: Any) -> AttributeValue? {
        if let s = value as? String { return .string(s) }
        if isBoolean(value), let b = value as? Bool { return .integers([b ? 1 : 0]) }
        if let n = value as? NSNumber { return isInteger(n) ? .integers([n.int64Value]) : .doubles([double(n)]) }
        guard let a = value as? [Any], !a.isEmpty else { return nil }
        if let s = a as? [String] { return .strings(s) }
        let numbers = a.compactMap { ($0 as? NSNumber).flatMap { isBoolean($0) ? nil : $0 } }
        guard numbers.count == a.count else { return nil }
        if numbers.allSatisfy(isInteger) { return .integers(numbers.map(\.int64Value)) }
        return .doubles(numbers.map(double))
    }

    /// The attributes of a `.zattrs` object or a v3 `attributes` object, without xarray's `_ARRAY_DIMENSIONS`.
    static func attributes(_ object: [String: Any]?) -> Attributes {
        var out: Attributes = [:]
        for (k, v) in object ?? [:] where k != "_ARRAY_DIMENSIONS" {
            if let a = attributeValue(v) { out[k] = a }
        }
        return out
    }
}
