import Foundation
import WXCore

/// A finished reforecast RUNDIR read by `wxens verify` as one forecast: its parts in manifest order along init_time,
/// each variable presented with the merged file's axes (init_time, member, lead_time, latitude, longitude) and
/// values, so the scores equal those of the file `wxens reforecast merge` writes, without writing it.
public final class ReforecastRunSource: VerifySource {
    /// The run directory.
    public let path: String
    /// The plan.
    public let manifest: ReforecastManifest
    private let paths: ReforecastPaths
    private let lock = NSLock()
    private var variables: [String: SourceVariable] = [:]
    private var parts: [Int: NetCDFVerifySource] = [:]
    private var opened: [Int] = []
    private var checked: Set<String> = []
    /// Most parts held open at once (a reforecast can have thousands).
    static let openParts = 64

    /// True when `path` is a directory holding a reforecast manifest.
    public static func isRunDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
            && FileManager.default.fileExists(atPath: path + "/" + ReforecastManifest.fileName)
    }

    /// Reads the manifest and checks every task is done with an intact part (checksums); `partsMissing` names the
    /// tasks that are not.
    public init(rundir: String) throws {
        path = rundir
        manifest = try ReforecastManifest.read(rundir)
        paths = ReforecastPaths(rundir)
        let bad = manifest.tasks.filter {
            ReforecastPartMarker.state(task: $0.id, paths: paths, configHash: manifest.configHash) != .done
        }
        guard bad.isEmpty else { throw ReforecastError.partsMissing(rundir: rundir, tasks: bad.map(\.id)) }
    }

    public func variableNames() throws -> [String] { manifest.variables }

    /// The first part's variable with the init axis of the whole run moved to the front, as the merged file has it.
    public func variable(_ name: String) throws -> SourceVariable {
        lock.lock(); defer { lock.unlock() }
        if let v = variables[name] { return v }
        guard manifest.variables.contains(name) else { throw VerifyError.variableMissing(path: path, variable: name) }
        let first = try part(0)
        let pv = try checkedVariable(name, in: first, task: 0)
        var dims = pv.dimensions
        dims[1].size = manifest.tasks.count
        dims.swapAt(0, 1)
        var coords = pv.coordinates
        let initName = pv.dimensions[1].name
        if let c = coords[initName] {
            coords[initName] = Coordinate(name: c.name, values: manifest.tasks.map(\.initTime), attributes: c.attributes)
        }
        let v = SourceVariable(name: name, dimensions: dims, coordinates: coords, attributes: pv.attributes)
        variables[name] = v
        return v
    }

    /// Reads a hyperslab of the merged layout part by part: [init, member, lead, latitude, longitude]. Values are
    /// rounded to float32 as the merged file stores them (no change for float32 parts).
    public func read(_ name: String, start: [Int], count: [Int]) throws -> [Double] {
        let v = try variable(name)
        let shape = v.dimensions.map(\.size)
        guard start.count == 5, count.count == 5,
              zip(zip(start, count), shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw VerifyError.cannotRead(path: path, reason: "hyperslab start \(start) count \(count) outside \(name)\(shape)")
        }
        var out: [Double] = []
        out.reserveCapacity(count.reduce(1, *))
        for i in start[0] ..< start[0] + count[0] {
            let src = try checkedPart(i, variable: name)
            out += try src.read(name, start: [start[1], 0, start[2], start[3], start[4]], count: [count[1], 1, count[2], count[3], count[4]])
        }
        for n in out.indices { out[n] = Double(Float(out[n])) }
        return out
    }

    /// Reads whole fields (plane k = (init * members + member) * leads + lead) through each part's plane path, falling
    /// back to hyperslab reads for a part without one.
    public func readPlanes(_ name: String, planes: [Int], into buffer: UnsafeMutableBufferPointer<Double>) throws -> Bool {
        let v = try variable(name)
        let (nM, nL) = (v.dimensions[1].size, v.dimensions[2].size)
        let p = v.dimensions[3].size * v.dimensions[4].size
        let perInit = nM * nL
        guard buffer.count >= planes.count * p, planes.allSatisfy({ $0 >= 0 && $0 < manifest.tasks.count * perInit }) else {
            throw VerifyError.cannotRead(path: path, reason: "planes outside \(name) or a buffer too small for them")
        }
        var j = 0
        while j < planes.count {
            let i = planes[j] / perInit
            var e = j + 1
            while e < planes.count && planes[e] / perInit == i { e += 1 }
            let src = try checkedPart(i, variable: name)
            let local = planes[j..<e].map { $0 - i * perInit }
            let slot = UnsafeMutableBufferPointer(rebasing: buffer[(j * p) ..< (e * p)])
            if try !src.readPlanes(name, planes: local, into: slot) {
                for (n, k) in local.enumerated() {
                    let values = try src.read(name, start: [k / nL, 0, k % nL, 0, 0], count: [1, 1, 1, v.dimensions[3].size, v.dimensions[4].size])
                    for q in 0..<p { slot[n * p + q] = values[q] }
                }
            }
            for n in slot.indices { slot[n] = Double(Float(slot[n])) }
            j = e
        }
        return true
    }

    /// The part of task `i`, opened (at most `openParts` held) and its variable `name` checked against the plan.
    private func checkedPart(_ i: Int, variable name: String) throws -> NetCDFVerifySource {
        lock.lock(); defer { lock.unlock() }
        let src = try part(i)
        if !checked.contains("\(i)/\(name)") {
            _ = try checkedVariable(name, in: src, task: i)
            checked.insert("\(i)/\(name)")
        }
        return src
    }

    private func part(_ i: Int) throws -> NetCDFVerifySource {
        if let s = parts[i] { return s }
        if opened.count >= Self.openParts { parts[opened.removeFirst()] = nil }
        let s = try NetCDFVerifySource(path: paths.part(manifest.tasks[i].id))
        parts[i] = s
        opened.append(i)
        return s
    }

    /// `name` in a part: (member, init_time, lead_time, latitude, longitude) with the plan's members, the task's init
    /// time and the plan's lead times, on the first part's grid.
    private func checkedVariable(_ name: String, in src: NetCDFVerifySource, task i: Int) throws -> SourceVariable {
        let v = try src.variable(name)
        func fail(_ why: String) -> ReforecastError { .partMismatch(path: src.path, reason: "variable \(name): \(why)") }
        guard v.dimensions.map(\.role) == [.member, .initTime, .leadTime, .latitude, .longitude] else {
            throw fail("dimensions \(v.dimensions.map(\.name)) are not (member, init_time, lead_time, latitude, longitude)")
        }
        guard v.dimensions[0].size == manifest.config.members, v.dimensions[1].size == 1, v.dimensions[2].size == manifest.leadHours.count else {
            throw fail("shape \(v.dimensions.map(\.size)) does not hold the plan's \(manifest.config.members) members and \(manifest.leadHours.count) leads of one init")
        }
        guard let t = v.coordinates[v.dimensions[1].name]?.values.first, abs(t - manifest.tasks[i].initTime) < 1e-6 else {
            throw fail("init time is not \(manifest.tasks[i].initDate)")
        }
        guard v.coordinates[v.dimensions[2].name]?.values == manifest.leadHours else { throw fail("lead times are not \(manifest.leadHours)") }
        // Both layouts end in (latitude, longitude).
        let grid = { (s: SourceVariable) in [3, 4].map { s.coordinates[s.dimensions[$0].name]?.values ?? [] } }
        if i > 0 {
            let first = try variables[name] ?? part(0).variable(name)
            guard grid(v) == grid(first) else { throw fail("grid differs from the first part's") }
        }
        return v
    }
}
