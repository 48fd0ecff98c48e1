import Foundation
import WXCore

/// One axis of a CF output: dimension, coordinate values, their type and attributes.
struct CFAxis {
    var name: String
    var role: DimensionRole
    var values: [Double]
    var type: NetCDFWriter.DataType
    var attributes: Attributes
}

/// The shared core of the CF writers: data variables over (record, inner axes...), written one record
/// (a member, or a time) at a time, each 2-D field one compressed chunk; `finish()` checks every record was written.
final class CFRecordFileWriter {
    let file: NetCDFWriter
    let record: CFAxis
    let inner: [CFAxis]
    let variables: [String: CFDataVariable]
    let variableOrder: [String]
    /// Values in one record of one variable.
    let recordSize: Int
    private var written: [String: [Bool]]
    private var packScratch: [Int16] = []
    private var floatScratch: [Float] = []

    var path: String { file.path }

    init(path: String, record: CFAxis, inner: [CFAxis], variables: [CFDataVariable], global: CFGlobalAttributes,
         compression: NetCDFWriter.Compression) throws {
        let axes = [record] + inner
        try CFRecordFileWriter.validate(path: path, axes: axes, variables: variables)
        let file = try NetCDFWriter(path: path)
        self.file = file
        self.record = record
        self.inner = inner
        self.variables = Dictionary(uniqueKeysWithValues: variables.map { ($0.name, $0) })
        self.variableOrder = variables.map(\.name)
        self.recordSize = inner.reduce(1) { $0 * $1.values.count }
        self.written = Dictionary(uniqueKeysWithValues: variables.map { ($0.name, Array(repeating: false, count: record.values.count)) })

        for axis in axes {
            try file.defineDimension(axis.name, size: axis.values.count)
            try file.defineVariable(axis.name, type: axis.type, dimensions: [axis.name], attributes: axis.attributes)
        }
        let dims = axes.map(\.name)
        let chunks = axes.map { ($0.role == .latitude || $0.role == .longitude) ? $0.values.count : 1 }
        for v in variables {
            var attrs = v.attributes
            attrs["units"] = .string(v.units)
            if let s = v.standardName { attrs["standard_name"] = .string(s) }
            if let l = v.longName { attrs["long_name"] = .string(l) }
            if let p = v.packing {
                try file.defineVariable(v.name, type: .int16, dimensions: dims, attributes: attrs,
                                        fillValue: Double(CFPacking.fillValue), compression: compression, chunkSizes: chunks)
                try file.setAttribute("scale_factor", .doubles([Double(p.scaleFactor)]), on: v.name, type: .float)
                try file.setAttribute("add_offset", .doubles([Double(p.addOffset)]), on: v.name, type: .float)
            } else {
                try file.defineVariable(v.name, type: .float, dimensions: dims, attributes: attrs,
                                        fillValue: .nan, compression: compression, chunkSizes: chunks)
            }
        }
        let globals = global.attributes()
        for key in globals.keys.sorted() { try file.setAttribute(key, globals[key]!) }
        for axis in axes { try writeCoordinate(axis) }
    }

    /// Attributes the writer sets itself from `CFDataVariable`'s fields and packing.
    static let reservedAttributes: Set<String> = ["_FillValue", "missing_value", "scale_factor", "add_offset",
                                                  "valid_range", "valid_min", "valid_max", "units", "standard_name", "long_name"]

    /// Checks names, axes (non-empty, finite, strictly monotonic, unique members, parseable CF time units) and
    /// variables (packing finite, no reserved attributes) before any file is created.
    static func validate(path: String, axes: [CFAxis], variables: [CFDataVariable]) throws {
        func bad(_ name: String?, _ reason: String) -> CFWriterError {
            CFWriterError.invalidDefinition(path: path, variable: name, reason: reason)
        }
        let axisNames = Set(axes.map(\.name))
        guard axisNames.count == axes.count else { throw bad(nil, "axis names repeat: \(axes.map(\.name))") }
        for axis in axes {
            let v = axis.values
            guard !v.isEmpty else { throw bad(axis.name, "axis \(axis.name) has no values") }
            guard v.allSatisfy({ $0.isFinite }) else { throw bad(axis.name, "axis \(axis.name) has a non-finite value") }
            if axis.role == .member {
                guard Set(v).count == v.count else { throw bad(axis.name, "member numbers repeat: \(v.map { Int($0) })") }
            } else if v.count > 1 {
                let up = zip(v, v.dropFirst()).allSatisfy { $0 < $1 }, down = zip(v, v.dropFirst()).allSatisfy { $0 > $1 }
                guard up || down else { throw bad(axis.name, "coordinate \(axis.name) is not strictly monotonic") }
            }
            if axis.role == .time || axis.role == .initTime, let units = axis.attributes["units"]?.stringValue {
                do {
                    _ = try CFTimeUnits(units: units, calendar: axis.attributes["calendar"]?.stringValue)
                } catch {
                    throw bad(axis.name, "time units \"\(units)\" / calendar \(axis.attributes["calendar"]?.stringValue ?? "-"): \(error)")
                }
            }
        }
        guard !variables.isEmpty else { throw bad(nil, "no data variables") }
        var seen = Set<String>()
        for v in variables {
            guard !seen.contains(v.name), !axisNames.contains(v.name) else {
                throw CFWriterError.duplicateName(path: path, name: v.name)
            }
            seen.insert(v.name)
            if let p = v.packing, !(p.scaleFactor.isFinite && p.scaleFactor != 0 && p.addOffset.isFinite) {
                throw bad(v.name, "scale_factor \(p.scaleFactor) / add_offset \(p.addOffset) must be finite and scale_factor non-zero")
            }
            let reserved = Set(v.attributes.keys).intersection(reservedAttributes)
            guard reserved.isEmpty else {
                throw bad(v.name, "attributes \(reserved.sorted()) are set by the writer (use the CFDataVariable fields and packing)")
            }
        }
    }

    private func writeCoordinate(_ axis: CFAxis) throws {
        switch axis.type {
        case .float: try file.write(axis.name, values: axis.values.map { Float($0) })
        case .double: try file.write(axis.name, values: axis.values)
        case .int16, .int32, .int64:
            var ints: [Int64] = []
            for x in axis.values {
                guard let i = Int64(exactly: x) else {
                    file.discard()
                    throw CFWriterError.invalidDefinition(path: path, variable: axis.name, reason: "coordinate value \(x) is not an integer")
                }
                ints.append(i)
            }
            try file.write(axis.name, values: ints)
        }
    }

    /// Runs `body`; any error removes the temporary file before it is rethrown.
    private func guarded(_ body: () throws -> Void) throws {
        guard file.isOpen else { throw CFWriterError.writerClosed(path: path) }
        do { try body() } catch {
            file.discard()
            throw error
        }
    }

    /// Writes record `r` of `variable` from a buffer over the inner axes (row-major).
    func write<E: BinaryFloatingPoint>(record r: Int, variable: String, values: UnsafeBufferPointer<E>) throws {
        try guarded {
            guard let spec = variables[variable] else { throw CFWriterError.unknownName(path: path, name: "variable \(variable)") }
            guard r >= 0 && r < record.values.count else {
                throw CFWriterError.recordOutOfRange(path: path, variable: variable, record: r, count: record.values.count)
            }
            guard written[variable]![r] == false else { throw CFWriterError.recordWrittenTwice(path: path, variable: variable, record: r) }
            guard values.count == recordSize else {
                throw CFWriterError.sizeMismatch(path: path, variable: variable, expected: recordSize, got: values.count)
            }
            let start = [r] + Array(repeating: 0, count: inner.count)
            let count = [1] + inner.map { $0.values.count }
            if let packing = spec.packing {
                if packScratch.count != recordSize { packScratch = Array(repeating: 0, count: recordSize) }
                do {
                    try packScratch.withUnsafeMutableBufferPointer { try packing.pack(values, into: $0) }
                } catch let e as CFPacking.OutOfRange {
                    throw CFWriterError.valueOutOfPackingRange(path: path, variable: variable, index: e.index, value: e.value,
                                                               packed: e.packed, validRange: CFPacking.validRange)
                }
                try file.write(variable, values: packScratch, start: start, count: count)
            } else if E.self == Float.self {
                try values.withMemoryRebound(to: Float.self) { try file.write(variable, values: $0, start: start, count: count) }
            } else if E.self == Double.self {
                try values.withMemoryRebound(to: Double.self) { try file.write(variable, values: $0, start: start, count: count) }
            } else {
                if floatScratch.count != recordSize { floatScratch = Array(repeating: 0, count: recordSize) }
                floatScratch.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<recordSize { dst[i] = Float(values[i]) }
                }
                try file.write(variable, values: floatScratch, start: start, count: count)
            }
            written[variable]![r] = true
        }
    }

    /// Writes record `r` from a field over the inner axes (an outer record axis of size 1 and axes of size 1 may be present).
    func write<E: BinaryFloatingPoint>(record r: Int, variable: String, field: Field<E>, recordRole: DimensionRole) throws {
        try guarded { try checkLayout(field, variable: variable, recordRole: recordRole) }
        try field.values.withUnsafeBufferPointer { try write(record: r, variable: variable, values: $0) }
    }

    /// Checks a field's non-trivial axes match the file's inner axes by role and size, and its grid coordinates match.
    func checkLayout<E: BinaryFloatingPoint>(_ field: Field<E>, variable: String, recordRole: DimensionRole) throws {
        func sameRole(_ a: DimensionRole, _ b: DimensionRole) -> Bool {
            a == b || (Set([a, b]) == Set([.time, .initTime]))
        }
        if let d = field.dimension(recordRole), d.size != 1 {
            throw CFWriterError.layoutMismatch(path: path, variable: variable,
                                               reason: "field has \(d.size) along \(d.name) (\(recordRole.rawValue)); write one at a time")
        }
        let got = field.dimensions.filter { $0.size != 1 }
        let want = inner.filter { $0.values.count != 1 }
        let describe = { (a: [(String, Int)]) in a.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") }
        guard got.count == want.count, zip(got, want).allSatisfy({ sameRole($0.role, $1.role) && $0.size == $1.values.count }) else {
            throw CFWriterError.layoutMismatch(path: path, variable: variable,
                reason: "field axes (\(describe(got.map { ($0.role.rawValue, $0.size) }))) differ from the file's (\(describe(want.map { ($0.role.rawValue, $0.values.count) })))")
        }
        for axis in inner where [.latitude, .longitude, .level].contains(axis.role) {
            guard let c = field.coordinate(axis.role) else { continue }
            let tol = 1e-4
            guard c.values.count == axis.values.count,
                  zip(c.values, axis.values).allSatisfy({ abs($0 - $1) <= tol * max(1, abs($1)) }) else {
                throw CFWriterError.layoutMismatch(path: path, variable: variable, reason: "\(axis.role.rawValue) coordinate values differ from the file's \(axis.name)")
            }
        }
    }

    /// Checks that every record of every variable was written, then renames the file into place.
    func finish() throws {
        try guarded {
            for name in variableOrder {
                let missing = written[name]!.enumerated().filter { !$0.element }.map(\.offset)
                if !missing.isEmpty { throw CFWriterError.recordsMissing(path: path, variable: name, records: missing) }
            }
        }
        try file.finish()
    }

    /// Values of scratch memory the writer holds (at most one record); data is never kept after a write returns.
    var scratchValueCount: Int { packScratch.count + floatScratch.count }

    /// Whether record `r` of `variable` has been written.
    func isWritten(record r: Int, variable: String) -> Bool {
        guard let w = written[variable], r >= 0, r < w.count else { return false }
        return w[r]
    }
}
