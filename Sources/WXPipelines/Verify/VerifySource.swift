import Foundation
import WXCore

/// What verification needs to know about one variable of a file: its axes, coordinates and attributes.
public struct SourceVariable: Sendable {
    /// Variable name.
    public var name: String
    /// Axes in storage order, with roles.
    public var dimensions: [WXCore.Dimension]
    /// Coordinates keyed by dimension name.
    public var coordinates: [String: Coordinate]
    /// Attributes after CF decoding.
    public var attributes: Attributes

    /// A variable description.
    public init(name: String, dimensions: [WXCore.Dimension], coordinates: [String: Coordinate], attributes: Attributes) {
        self.name = name
        self.dimensions = dimensions
        self.coordinates = coordinates
        self.attributes = attributes
    }

    /// Index of the first dimension with a role.
    public func axis(_ role: DimensionRole) -> Int? { dimensions.firstIndex { $0.role == role } }
}

/// A file (or an in-memory stand-in) that verification reads hyperslabs from, one block at a time.
public protocol VerifySource: AnyObject {
    /// Path shown in messages.
    var path: String { get }
    /// Names of the data variables (not coordinates).
    func variableNames() throws -> [String]
    /// Axes, coordinates and attributes of a variable; `VerifyError.variableMissing` if absent.
    func variable(_ name: String) throws -> SourceVariable
    /// Values of the hyperslab `start`/`count` (storage order, unpacked, NaN where missing) as Double.
    func read(_ name: String, start: [Int], count: [Int]) throws -> [Double]
    /// Reads whole 2-D fields of `name` (`planes`: row-major indices over all but its last two dimensions) into
    /// consecutive slots of `buffer`, decoded as `read` decodes them; false when the source has no faster path for this
    /// than `read` (nothing is read then).
    func readPlanes(_ name: String, planes: [Int], into buffer: UnsafeMutableBufferPointer<Double>) throws -> Bool
}

extension VerifySource {
    /// No plane path: callers use `read`.
    public func readPlanes(_ name: String, planes: [Int], into buffer: UnsafeMutableBufferPointer<Double>) throws -> Bool { false }
}

/// A `VerifySource` over fields held in memory (tests, and data already read).
public final class FieldSource: VerifySource {
    /// Path shown in messages.
    public let path: String
    private let fields: [String: Field<Double>]
    private let order: [String]

    /// A source over fields, named in messages as `path`.
    public init(path: String, fields: [Field<Double>]) {
        self.path = path
        self.order = fields.map(\.name)
        var d: [String: Field<Double>] = [:]
        for f in fields { d[f.name] = f }
        self.fields = d
    }

    public func variableNames() throws -> [String] { order }

    public func variable(_ name: String) throws -> SourceVariable {
        guard let f = fields[name] else { throw VerifyError.variableMissing(path: path, variable: name) }
        return SourceVariable(name: f.name, dimensions: f.dimensions, coordinates: f.coordinates, attributes: f.attributes)
    }

    public func read(_ name: String, start: [Int], count: [Int]) throws -> [Double] {
        guard let f = fields[name] else { throw VerifyError.variableMissing(path: path, variable: name) }
        let shape = f.shape
        guard start.count == shape.count, count.count == shape.count,
              zip(zip(start, count), shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw VerifyError.cannotRead(path: path, reason: "hyperslab start \(start) count \(count) outside \(name)\(shape)")
        }
        var strides = [Int](repeating: 1, count: shape.count)
        for i in stride(from: shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
        let total = count.reduce(1, *)
        var out = [Double](); out.reserveCapacity(total)
        guard total > 0 else { return out }
        var idx = [Int](repeating: 0, count: shape.count)
        for _ in 0..<total {
            var off = 0
            for d in 0..<shape.count { off += (start[d] + idx[d]) * strides[d] }
            out.append(f.values[off])
            var d = shape.count - 1
            while d >= 0 { idx[d] += 1; if idx[d] < count[d] { break }; idx[d] = 0; d -= 1 }
        }
        return out
    }
}
