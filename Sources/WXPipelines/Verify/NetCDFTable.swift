import Foundation
import CNetCDF
import WXCore
import WXIO

/// A small netCDF-4 file described whole (dimensions, double/int64/string variables, attributes) and written at once
/// under a temporary name, then renamed. It exists for the score files, which need NC_STRING coordinates
/// (WeatherBench2's `metric` and `region`) that the generic `NetCDFWriter` does not define.
struct NetCDFTable {
    enum Values {
        case doubles([Double])
        case int64s([Int64])
        case strings([String])
    }

    struct Variable {
        var name: String
        var dimensions: [String]
        var values: Values
        var attributes: Attributes
    }

    var dimensions: [(name: String, size: Int)] = []
    var variables: [Variable] = []
    var globalAttributes: Attributes = [:]

    mutating func dimension(_ name: String, _ size: Int) { dimensions.append((name, size)) }

    mutating func variable(_ name: String, _ dims: [String], _ values: Values, _ attributes: Attributes = [:]) {
        variables.append(Variable(name: name, dimensions: dims, values: values, attributes: attributes))
    }

    /// Writes the file to `path` atomically (temporary sibling, then rename); errors name the final path.
    func write(to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = (dir as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        func check(_ rc: Int32, _ what: String) throws {
            guard rc == NC_NOERR else { throw VerifyError.cannotWrite(path: path, reason: "\(what): \(String(cString: nc_strerror(rc)))") }
        }
        do {
            try CLibraryLock.with {
                var ncid: Int32 = -1
                try check(nc_create(tmp, NC_NETCDF4 | NC_CLOBBER, &ncid), "nc_create")
                var open = true
                defer { if open { nc_close(ncid) } }
                var dimIDs: [String: Int32] = [:]
                for d in dimensions {
                    var id: Int32 = -1
                    try check(nc_def_dim(ncid, d.name, d.size, &id), "nc_def_dim(\(d.name))")
                    dimIDs[d.name] = id
                }
                var varIDs: [Int32] = []
                for v in variables {
                    let ids = try v.dimensions.map { n -> Int32 in
                        guard let id = dimIDs[n] else { throw VerifyError.cannotWrite(path: path, reason: "variable \(v.name) uses undefined dimension \(n)") }
                        return id
                    }
                    let type: nc_type
                    switch v.values {
                    case .doubles: type = nc_type(NC_DOUBLE)
                    case .int64s: type = nc_type(NC_INT64)
                    case .strings: type = nc_type(NC_STRING)
                    }
                    var id: Int32 = -1
                    try check(nc_def_var(ncid, v.name, type, Int32(ids.count), ids, &id), "nc_def_var(\(v.name))")
                    switch v.values {
                    case .doubles: var fill = Double.nan; try check(nc_def_var_fill(ncid, id, 0, &fill), "nc_def_var_fill(\(v.name))")
                    case .int64s: var fill: Int64 = -1; try check(nc_def_var_fill(ncid, id, 0, &fill), "nc_def_var_fill(\(v.name))")
                    case .strings: break
                    }
                    try putAttributes(ncid, id, v.attributes, check)
                    varIDs.append(id)
                }
                try putAttributes(ncid, NC_GLOBAL, globalAttributes, check)
                try check(nc_enddef(ncid), "nc_enddef")
                for (v, id) in zip(variables, varIDs) {
                    let n = v.dimensions.reduce(1) { acc, d in acc * (dimensions.first { $0.name == d }?.size ?? 1) }
                    switch v.values {
                    case .doubles(let a):
                        guard a.count == n else { throw VerifyError.cannotWrite(path: path, reason: "\(v.name) has \(a.count) values, needs \(n)") }
                        try check(nc_put_var_double(ncid, id, a), "nc_put_var_double(\(v.name))")
                    case .int64s(let a):
                        guard a.count == n else { throw VerifyError.cannotWrite(path: path, reason: "\(v.name) has \(a.count) values, needs \(n)") }
                        try check(nc_put_var_longlong(ncid, id, a), "nc_put_var_longlong(\(v.name))")
                    case .strings(let a):
                        guard a.count == n else { throw VerifyError.cannotWrite(path: path, reason: "\(v.name) has \(a.count) strings, needs \(n)") }
                        let c = a.map { strdup($0) }
                        defer { c.forEach { free($0) } }
                        var p: [UnsafePointer<CChar>?] = c.map { UnsafePointer($0) }
                        try check(nc_put_var_string(ncid, id, &p), "nc_put_var_string(\(v.name))")
                    }
                }
                open = false
                try check(nc_close(ncid), "nc_close")
            }
            guard rename(tmp, path) == 0 else { throw VerifyError.cannotWrite(path: path, reason: "rename failed (errno \(errno))") }
        } catch {
            unlink(tmp)
            throw error
        }
    }

    private func putAttributes(_ ncid: Int32, _ id: Int32, _ attrs: Attributes, _ check: (Int32, String) throws -> Void) throws {
        for (k, a) in attrs.sorted(by: { $0.key < $1.key }) {
            switch a {
            case .string(let s): try check(nc_put_att_text(ncid, id, k, s.utf8.count, s), "nc_put_att_text(\(k))")
            case .strings(let list):
                let c = list.map { strdup($0) }
                defer { c.forEach { free($0) } }
                var p: [UnsafePointer<CChar>?] = c.map { UnsafePointer($0) }
                try check(nc_put_att_string(ncid, id, k, list.count, &p), "nc_put_att_string(\(k))")
            case .integers(let v): try check(nc_put_att_longlong(ncid, id, k, nc_type(NC_INT64), v.count, v), "nc_put_att(\(k))")
            case .doubles(let v): try check(nc_put_att_double(ncid, id, k, nc_type(NC_DOUBLE), v.count, v), "nc_put_att(\(k))")
            }
        }
    }
}
