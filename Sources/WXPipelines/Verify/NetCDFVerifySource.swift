import Foundation
import WXCore
import WXIO

/// A `VerifySource` over a NetCDF/HDF5/GRIB file read through WXIO (CF-decoded, roles recognised, hyperslab reads).
public final class NetCDFVerifySource: VerifySource {
    /// Path of the file.
    public let path: String
    private let file: GriddedFile
    private var cache: [String: SourceVariable] = [:]
    private var planeReaders: [String: DirectChunkReader<Double>?] = [:]
    private let planeReadersLock = NSLock()

    /// Opens a file read-only with the reader its signature calls for (a GRIB file's messages selected by `filter`
    /// entries `key=value`); a missing or unreadable file is a `VerifyError.cannotRead` naming it, a filter that is
    /// malformed, selects nothing or is given for another format the `GRIBError.invalidFilter` itself (a usage error).
    public init(path: String, filter: [String] = []) throws {
        self.path = path
        do { file = try GriddedFiles.open(path, filter: filter) } catch let e as GRIBError {
            if case .invalidFilter = e { throw e }
            throw VerifyError.cannotRead(path: path, reason: NetCDFVerifySource.reason(e))
        } catch {
            throw VerifyError.cannotRead(path: path, reason: NetCDFVerifySource.reason(error))
        }
    }

    /// The error's text without the file name, which `cannotRead` gives itself.
    static func reason(_ error: Error) -> String {
        (error as? WXIOError)?.detail ?? (error as? ZarrError)?.detail ?? (error as? GRIBError)?.detail ?? "\(error)"
    }

    public func variableNames() throws -> [String] {
        let all = try wrap { try file.allVariables() }
        var dimNames = Set<String>()
        for v in all { for d in v.dimensions { dimNames.insert(d.name) } }
        return all.filter { $0.dataType.isNumeric && !$0.dimensions.isEmpty && !($0.dimensions.count == 1 && dimNames.contains($0.name)) }
            .map { $0.groupPath == "/" ? $0.name : $0.path }
    }

    public func variable(_ name: String) throws -> SourceVariable {
        if let v = cache[name] { return v }
        let info: VariableInfo
        do { info = try file.variable(name) } catch let e as WXIOError {
            if case .variableNotFound = e { throw VerifyError.variableMissing(path: path, variable: name) }
            throw VerifyError.cannotRead(path: path, reason: e.detail)
        }
        let roles = try wrap { try file.dimensionRoles(of: info) }
        var dims: [WXCore.Dimension] = []
        var coords: [String: Coordinate] = [:]
        for (i, d) in info.dimensions.enumerated() {
            dims.append(WXCore.Dimension(name: d.name, role: roles[i], size: d.size))
            if let cv = try wrap({ try file.coordinateVariable(forDimension: i, of: info) }), cv.dataType.isNumeric {
                let values = try wrap { try file.readDoubles(cv.path) }
                coords[d.name] = Coordinate(name: cv.name, values: values, attributes: CFDecoding.decodedAttributes(cv.attributes))
            }
        }
        let v = SourceVariable(name: name, dimensions: dims, coordinates: coords, attributes: CFDecoding.decodedAttributes(info.attributes))
        cache[name] = v
        return v
    }

    public func read(_ name: String, start: [Int], count: [Int]) throws -> [Double] {
        try wrap { try file.readDoubles(name, hyperslab: Hyperslab(start: start, count: count)) }
    }

    /// Reads planes through HDF5's direct chunk reads, inflated and decoded on several cores, when the variable is
    /// stored one chunk per 2-D field (`DirectChunkReader`); false otherwise.
    public func readPlanes(_ name: String, planes: [Int], into buffer: UnsafeMutableBufferPointer<Double>) throws -> Bool {
        planeReadersLock.lock()
        let reader: DirectChunkReader<Double>?
        if let r = planeReaders[name] { reader = r } else {
            let r = try? DirectChunkReader<Double>(file: file, variable: name)
            reader = (r?.isDirect ?? false) ? r : nil
            planeReaders[name] = .some(reader)
        }
        planeReadersLock.unlock()
        guard let r = reader else { return false }
        try wrap { try r.read(planes: planes, into: buffer) }
        return true
    }

    private func wrap<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let e as VerifyError { throw e } catch {
            throw VerifyError.cannotRead(path: path, reason: NetCDFVerifySource.reason(error))
        }
    }
}
