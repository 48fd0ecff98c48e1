import Foundation
import WXCore

/// One Zarr array as its metadata describes it (v2 `.zarray` + `.zattrs`, or v3 `zarr.json`), with the attributes
/// xarray would give the variable: `_FillValue` from a v2 `fill_value`, or decoded from xarray's base64 form in v3.
struct ZarrArrayMetadata: Sendable {
    /// Name within its group.
    let name: String
    /// Path of the group holding it ("/" for the root).
    let groupPath: String
    /// 2 or 3.
    let zarrFormat: Int
    /// Array shape.
    let shape: [Int]
    /// Chunk shape (edge chunks are stored whole, padded).
    let chunks: [Int]
    /// Element type (`.uint8` for bool; `.string`, `.compound` or `.unknown` for types not read as numbers).
    let dataType: GriddedDataType
    /// Stored bytes are big-endian.
    let bigEndian: Bool
    /// Chunks are in Fortran (column-major) order.
    let fortranOrder: Bool
    /// One element of the fill value in native byte order, the value of a chunk that was never written.
    let fillBytes: [UInt8]
    /// The bytes-to-bytes codecs in encoding order (decoded last to first).
    let codecs: [ZarrCodec]
    /// The first codec or filter wxens does not decode, named as the metadata names it.
    let unsupportedCodec: String?
    /// Chunk key: `prefix` then the indices joined by `separator` ("0.1.2", "c/0/1/2").
    let chunkKeyPrefix: String?
    /// Separator of chunk indices in a chunk key.
    let separator: String
    /// Dimension names (`_ARRAY_DIMENSIONS` or v3 `dimension_names`; `_Anonymous_Dim_<size>` where absent, as NCZarr).
    let dimensionNames: [String]
    /// CF attributes as xarray decodes them.
    let attributes: Attributes
    /// How chunks are packed into shard files (v3 `sharding_indexed`; `chunks` are then the inner chunks), or nil.
    var sharding: ZarrSharding? = nil

    /// Bytes of one element.
    var elementSize: Int { dataType.byteSize ?? 1 }

    /// The key of the chunk at `indices`, relative to the array's directory.
    func chunkKey(_ indices: [Int]) -> String {
        if indices.isEmpty { return chunkKeyPrefix ?? "0" }
        let joined = indices.map(String.init).joined(separator: separator)
        return chunkKeyPrefix.map { $0 + separator + joined } ?? joined
    }

    // MARK: - v2

    /// Parses a v2 `.zarray` (and its `.zattrs`), `file` naming the document in errors.
    static func v2(name: String, groupPath: String, zarray: [String: Any], zattrs: [String: Any]?, store: String,
                   file: String) throws -> ZarrArrayMetadata {
        func bad(_ d: String) -> ZarrError { .invalidMetadata(store: store, file: file, detail: d) }
        guard ZarrJSON.integer(zarray["zarr_format"]) == 2 else { throw bad("zarr_format is not 2") }
        guard let shape = ZarrJSON.sizes(zarray["shape"]) else { throw bad("\"shape\" is not a list of sizes") }
        guard let chunks = ZarrJSON.sizes(zarray["chunks"]), chunks.count == shape.count, !chunks.contains(0) || shape.contains(0) else {
            throw bad("\"chunks\" is not a list of positive sizes of the rank of \"shape\"")
        }
        let (type, big) = try v2DataType(zarray["dtype"], bad)
        let order = zarray["order"] as? String ?? "C"
        guard order == "C" || order == "F" else { throw bad("\"order\" is \"\(order)\", not \"C\" or \"F\"") }
        var unsupported: String? = nil
        var codecs: [ZarrCodec] = []
        if let filters = zarray["filters"] as? [Any], let first = filters.first {
            unsupported = "filter " + (((first as? [String: Any])?["id"] as? String) ?? "\(first)")
        }
        if let c = zarray["compressor"] as? [String: Any] {
            let id = c["id"] as? String ?? "(no id)"
            if let codec = ZarrCodec(name: id) { codecs = [codec] } else { unsupported = unsupported ?? id }
        } else if zarray["compressor"] != nil && !(zarray["compressor"] is NSNull) {
            throw bad("\"compressor\" is neither null nor an object")
        }
        let separator = zarray["dimension_separator"] as? String ?? "."
        guard separator == "." || separator == "/" else { throw bad("\"dimension_separator\" is \"\(separator)\"") }
        let fillJSON = zarray["fill_value"]
        let fill = try fillValue(fillJSON, type: type, bad)
        let names = try dimensionNames(zattrs?["_ARRAY_DIMENSIONS"], shape: shape, bad)
        var attributes = ZarrJSON.attributes(zattrs)
        if let fillJSON, !(fillJSON is NSNull), type.isNumeric, let v = fill.attribute {
            attributes["_FillValue"] = v
        }
        return ZarrArrayMetadata(name: name, groupPath: groupPath, zarrFormat: 2, shape: shape, chunks: chunks, dataType: type,
                                 bigEndian: big, fortranOrder: order == "F", fillBytes: fill.bytes, codecs: codecs,
                                 unsupportedCodec: unsupported, chunkKeyPrefix: nil, separator: separator, dimensionNames: names,
                                 attributes: attributes)
    }

    /// A numpy type string ("<f4", ">i2", "|u1", "|b1") as a type and byte order.
    static func v2DataType(_ value: Any?, _ bad: (String) -> ZarrError) throws -> (GriddedDataType, Bool) {
        if value is [Any] { return (.compound, false) }
        guard let s = value as? String, s.count >= 2 else { throw bad("\"dtype\" is not a numpy type string") }
        let order = s.first!
        let body = ["<", ">", "|", "="].contains(order) ? String(s.dropFirst()) : s
        let types: [String: GriddedDataType] = ["i1": .int8, "u1": .uint8, "b1": .uint8, "i2": .int16, "u2": .uint16,
                                                "i4": .int32, "u4": .uint32, "i8": .int64, "u8": .uint64, "f4": .float32, "f8": .float64]
        if let t = types[body] { return (t, order == ">") }
        if body.hasPrefix("S") || body.hasPrefix("U") || body.hasPrefix("O") { return (.string, false) }
        return (.unknown, false)
    }

    // MARK: - v3

    /// A v3 codec list read in order: array-to-array (`transpose`), array-to-bytes (`bytes`, or `sharding_indexed`
    /// with its configuration), then bytes-to-bytes codecs.
    struct CodecChain {
        var codecs: [ZarrCodec] = []
        var bigEndian = false
        var fortran = false
        var sawBytes = false
        var unsupported: String? = nil
        var sharding: [String: Any]? = nil
    }

    /// Reads a v3 codec list for an array of `rank` dimensions.
    static func codecChain(_ list: [[String: Any]], rank: Int) -> CodecChain {
        var chain = CodecChain()
        for c in list {
            let codecName = c["name"] as? String ?? "(no name)"
            let config = c["configuration"] as? [String: Any]
            switch codecName {
            case "bytes":
                chain.bigEndian = (config?["endian"] as? String) == "big"
                chain.sawBytes = true
            case "sharding_indexed" where !chain.sawBytes:
                chain.sharding = config ?? [:]
                chain.sawBytes = true
            case "transpose":
                let order = ZarrJSON.sizes(config?["order"]) ?? []
                if order == Array(0..<rank) { break }
                if order == Array((0..<rank).reversed()) && !chain.sawBytes { chain.fortran = true; break }
                chain.unsupported = chain.unsupported ?? "transpose \(order)"
            default:
                if let codec = ZarrCodec(name: codecName), chain.sawBytes { chain.codecs.append(codec) }
                else { chain.unsupported = chain.unsupported ?? codecName }
            }
        }
        return chain
    }

    /// Parses a v3 array `zarr.json`.
    static func v3(name: String, groupPath: String, json: [String: Any], store: String, file: String) throws -> ZarrArrayMetadata {
        func bad(_ d: String) -> ZarrError { .invalidMetadata(store: store, file: file, detail: d) }
        guard ZarrJSON.integer(json["zarr_format"]) == 3 else { throw bad("zarr_format is not 3") }
        guard let shape = ZarrJSON.sizes(json["shape"]) else { throw bad("\"shape\" is not a list of sizes") }
        guard let grid = json["chunk_grid"] as? [String: Any], grid["name"] as? String == "regular",
              let chunks = ZarrJSON.sizes((grid["configuration"] as? [String: Any])?["chunk_shape"]),
              chunks.count == shape.count, !chunks.contains(0) || shape.contains(0) else {
            throw bad("\"chunk_grid\" is not a regular grid of positive sizes of the rank of \"shape\"")
        }
        let typeNames: [String: GriddedDataType] = ["bool": .uint8, "int8": .int8, "uint8": .uint8, "int16": .int16, "uint16": .uint16,
                                                    "int32": .int32, "uint32": .uint32, "int64": .int64, "uint64": .uint64,
                                                    "float32": .float32, "float64": .float64]
        let typeName = json["data_type"] as? String
        let type = typeName.flatMap { typeNames[$0] } ?? (["string", "bytes"].contains(typeName ?? "") ? .string : .unknown)
        var separator = "/", prefix: String? = "c"
        if let key = json["chunk_key_encoding"] as? [String: Any] {
            let config = key["configuration"] as? [String: Any]
            switch key["name"] as? String {
            case "default": separator = config?["separator"] as? String ?? "/"
            case "v2": separator = config?["separator"] as? String ?? "."; prefix = nil
            default: throw bad("chunk_key_encoding \"\(key["name"] ?? "")\" is not \"default\" or \"v2\"")
            }
            guard separator == "." || separator == "/" else { throw bad("chunk key separator is \"\(separator)\"") }
        }
        guard let codecList = json["codecs"] as? [[String: Any]] else { throw bad("\"codecs\" is not a list of objects") }
        var chain = codecChain(codecList, rank: shape.count)
        var innerChunks = chunks
        var sharding: ZarrSharding? = nil
        if let config = chain.sharding {
            guard let inner = ZarrJSON.sizes(config["chunk_shape"]), inner.count == shape.count, !inner.contains(0),
                  zip(chunks, inner).allSatisfy({ $0 % $1 == 0 }) else {
                throw bad("sharding_indexed \"chunk_shape\" is not a list of positive sizes dividing the shard shape \(chunks)")
            }
            guard let innerList = config["codecs"] as? [[String: Any]] else { throw bad("sharding_indexed \"codecs\" is not a list of objects") }
            let innerChain = codecChain(innerList, rank: shape.count)
            let indexNames = (config["index_codecs"] as? [[String: Any]] ?? [["name": "bytes"], ["name": "crc32c"]]).map {
                ($0["name"] as? String ?? "(no name)") + (($0["configuration"] as? [String: Any])?["endian"] as? String == "big" ? " big-endian" : "")
            }
            let location = config["index_location"] as? String ?? "end"
            if !chain.codecs.isEmpty || chain.fortran {
                chain.unsupported = chain.unsupported ?? "codecs around sharding_indexed"
            } else if innerChain.sharding != nil {
                chain.unsupported = chain.unsupported ?? "nested sharding_indexed"
            } else if !(indexNames == ["bytes"] || indexNames == ["bytes", "crc32c"]) || !["end", "start"].contains(location) {
                chain.unsupported = chain.unsupported ?? "sharding_indexed index \(indexNames.joined(separator: "+")) at \(location)"
            }
            chain = CodecChain(codecs: innerChain.codecs, bigEndian: innerChain.bigEndian, fortran: innerChain.fortran,
                               sawBytes: innerChain.sawBytes, unsupported: chain.unsupported ?? innerChain.unsupported, sharding: nil)
            sharding = ZarrSharding(chunksPerShard: zip(chunks, inner).map { $0 / $1 }, indexAtEnd: location == "end",
                                    indexChecksummed: indexNames.count == 2)
            innerChunks = inner
        }
        if !chain.sawBytes && chain.unsupported == nil { chain.unsupported = "(no bytes codec)" }
        let codecs = chain.codecs, unsupported = chain.unsupported, big = chain.bigEndian, fortran = chain.fortran
        let fill = try fillValue(json["fill_value"], type: type, bad)
        let attrsJSON = json["attributes"] as? [String: Any]
        let names: [String]
        if let dn = json["dimension_names"] as? [Any], dn.count == shape.count {
            names = dn.enumerated().map { ($1 as? String) ?? "_Anonymous_Dim_\(shape[$0])" }
        } else {
            names = try dimensionNames(attrsJSON?["_ARRAY_DIMENSIONS"], shape: shape, bad)
        }
        var attributes = ZarrJSON.attributes(attrsJSON)
        if let f = attrsJSON?["_FillValue"], type.isNumeric {
            attributes["_FillValue"] = try xarrayFillValue(f, type: type, bad)
        }
        return ZarrArrayMetadata(name: name, groupPath: groupPath, zarrFormat: 3, shape: shape, chunks: innerChunks, dataType: type,
                                 bigEndian: big, fortranOrder: fortran, fillBytes: fill.bytes, codecs: codecs,
                                 unsupportedCodec: unsupported, chunkKeyPrefix: prefix, separator: separator, dimensionNames: names,
                                 attributes: attributes, sharding: sharding)
    }

    /// xarray's v3 `_FillValue` attribute: base64 of a little-endian double for float types, a number otherwise.
    static func xarrayFillValue(_ value: Any, type: GriddedDataType, _ bad: (String) -> ZarrError) throws -> AttributeValue {
        if let s = value as? String {
            if let special = ["NaN": Double.nan, "Infinity": .infinity, "-Infinity": -.infinity][s] { return .doubles([special]) }
            guard let d = Data(base64Encoded: s), d.count == 8 else { throw bad("_FillValue \"\(s)\" is not base64 of 8 bytes") }
            let bits = d.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            return .doubles([Double(bitPattern: bits)])
        }
        guard let a = ZarrJSON.attributeValue(value), a.doubleValue != nil else { throw bad("_FillValue is not a number") }
        return a
    }

    // MARK: - shared

    /// `_ARRAY_DIMENSIONS` when present and of the right rank, else NCZarr's anonymous names.
    static func dimensionNames(_ value: Any?, shape: [Int], _ bad: (String) -> ZarrError) throws -> [String] {
        guard let value else { return shape.map { "_Anonymous_Dim_\($0)" } }
        guard let names = value as? [String], names.count == shape.count else {
            throw bad("_ARRAY_DIMENSIONS is not a list of \(shape.count) names")
        }
        return names
    }

    /// A fill value as one native-order element and as the `_FillValue` attribute it stands for.
    struct Fill { let bytes: [UInt8]; let attribute: AttributeValue? }

    /// Reads `fill_value`: null (zeros), a number, "NaN", "Infinity", "-Infinity", a boolean, or (v3) "0x..." raw bits.
    static func fillValue(_ value: Any?, type: GriddedDataType, _ bad: (String) -> ZarrError) throws -> Fill {
        let size = type.byteSize ?? 1
        guard type.isNumeric, let value, !(value is NSNull) else { return Fill(bytes: [UInt8](repeating: 0, count: size), attribute: nil) }
        func bytes<T>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        if let s = value as? String, s.hasPrefix("0x"), let bits = UInt64(s.dropFirst(2), radix: 16) {
            let b = Array(bytes(bits).prefix(size))
            let d: Double = type == .float32 ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
                : type == .float64 ? Double(bitPattern: bits) : Double(bits)
            return Fill(bytes: b, attribute: .doubles([d]))
        }
        let d: Double
        var exact: Int64? = nil
        if let s = value as? String {
            guard let special = ["NaN": Double.nan, "Infinity": .infinity, "-Infinity": -.infinity][s] else {
                throw bad("fill_value \"\(s)\" is not a number")
            }
            d = special
        } else if ZarrJSON.isBoolean(value), let b = value as? Bool {
            d = b ? 1 : 0; exact = b ? 1 : 0
        } else if let n = value as? NSNumber {
            d = ZarrJSON.double(n)
            if ZarrJSON.isInteger(n) { exact = n.int64Value }
        } else {
            throw bad("fill_value is not a number")
        }
        let attr: AttributeValue = exact.map { .integers([$0]) } ?? .doubles([d])
        switch type {
        case .float32: return Fill(bytes: bytes(Float(d)), attribute: attr)
        case .float64: return Fill(bytes: bytes(d), attribute: attr)
        default:
            guard let i = exact ?? ZarrJSON.integer(value) else { throw bad("fill_value \(d) is not an integer for \(type.rawValue) data") }
            return Fill(bytes: Array(bytes(i).prefix(size)), attribute: attr)
        }
    }
}
