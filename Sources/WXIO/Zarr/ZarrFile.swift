import Foundation
import WXCore

/// A Zarr v2 or v3 store (a directory, as xarray's `to_zarr` writes it) read as a `GriddedFile`: groups, arrays as
/// variables with `_ARRAY_DIMENSIONS`/`dimension_names` as their dimensions, CF attributes as xarray decodes them.
///
/// Chunks are decoded here through c-blosc, zstd and zlib, not through netCDF-C's NCZarr: Debian's libnetcdf 4.9.0
/// ships no codec plugins, and without them NCZarr hands back the compressed bytes of a blosc or zlib chunk as if they
/// were values, and it does not read v3. A chunk that was never written holds the array's `fill_value`, as in zarr-python,
/// so it is NaN after CF decoding wherever xarray gives NaN (xarray's v2 `fill_value` is the `_FillValue`).
public final class ZarrFile: GriddedFile, @unchecked Sendable {
    /// The store's directory.
    public let path: String
    /// "Zarr v2" or "Zarr v3", with "(consolidated)" when read from consolidated metadata.
    public let formatName: String
    let layout: ZarrStoreLayout
    private let dimensionsByGroup: [String: [DimensionInfo]]
    private let assemblies: [String: ZarrChunkAssembly]

    /// True when `path` is a directory holding Zarr metadata (`.zgroup`, `.zmetadata`, `.zarray` or `zarr.json`).
    public static func isStore(_ path: String) -> Bool { ZarrStoreLayout.looksLikeStore(path) }

    /// Opens the store at `path`; throws `ZarrError` for metadata that cannot be read, `WXIOError` when it is missing.
    public init(path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw WXIOError.fileNotFound(path: path) }
        guard isDir.boolValue else { throw WXIOError.notARegularFile(path: path, kind: "a file, not a Zarr store directory") }
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        self.path = trimmed
        layout = try ZarrStoreLayout(store: trimmed)
        formatName = "Zarr v\(layout.zarrFormat)" + (layout.consolidated ? " (consolidated)" : "")
        var dims: [String: [DimensionInfo]] = [:]
        for g in layout.groups {
            var list: [DimensionInfo] = []
            var owner: [String: String] = [:]
            for p in layout.arraysInGroup[g] ?? [] {
                let a = layout.arrays[p]!
                for (name, size) in zip(a.dimensionNames, a.shape) {
                    if let i = list.firstIndex(where: { $0.name == name }) {
                        guard list[i].size == size else {
                            throw ZarrError.inconsistentDimension(store: trimmed, dimension: name,
                                                                  detail: "\(owner[name]!) gives \(list[i].size), \(p) gives \(size)")
                        }
                    } else {
                        list.append(DimensionInfo(name: name, size: size))
                        owner[name] = p
                    }
                }
            }
            dims[g] = list
        }
        dimensionsByGroup = dims
        var asm: [String: ZarrChunkAssembly] = [:]
        for (p, a) in layout.arrays where a.dataType.isNumeric {
            asm[p] = try ZarrChunkAssembly(store: trimmed, variable: p, array: a)
        }
        assemblies = asm
    }

    /// Group paths, "/" first, depth-first.
    public func groupPaths() throws -> [String] { layout.groups }

    /// The dimensions the group's arrays use, in order of first use.
    public func dimensions(inGroup group: String) throws -> [DimensionInfo] {
        guard let d = dimensionsByGroup[normalised(group)] else { throw WXIOError.groupNotFound(path: path, group: group) }
        return d
    }

    /// The arrays directly in a group, sorted by name.
    public func variables(inGroup group: String) throws -> [VariableInfo] {
        let g = normalised(group)
        guard layout.groupAttributes[g] != nil else { throw WXIOError.groupNotFound(path: path, group: group) }
        return (layout.arraysInGroup[g] ?? []).map { info(layout.arrays[$0]!, path: $0) }
    }

    /// The array at a path ("t", "/t", "/forecast/t").
    public func variable(_ variablePath: String) throws -> VariableInfo {
        let p = variablePath.hasPrefix("/") ? variablePath : "/" + variablePath
        guard let a = layout.arrays[p] else { throw WXIOError.variableNotFound(path: path, variable: variablePath) }
        return info(a, path: p)
    }

    /// A group's attributes ("/" for the store's).
    public func attributes(ofGroup group: String) throws -> Attributes {
        guard let a = layout.groupAttributes[normalised(group)] else { throw WXIOError.groupNotFound(path: path, group: group) }
        return a
    }

    /// The numeric one-dimensional array named like the dimension, in the variable's group or the nearest group above.
    public func coordinateVariable(forDimension index: Int, of v: VariableInfo) throws -> VariableInfo? {
        guard index >= 0 && index < v.dimensions.count else { return nil }
        let name = v.dimensions[index].name
        var g = v.groupPath
        while true {
            let p = (g == "/" ? "/" : g + "/") + name
            if let a = layout.arrays[p], a.dimensionNames == [name], a.dataType.isNumeric { return info(a, path: p) }
            if g == "/" { return nil }
            g = ZarrStoreLayout.split(g).group
        }
    }

    /// CF decoding from the attributes xarray would give the variable; no netCDF default fill (xarray applies none to Zarr).
    public func decoding(for v: VariableInfo) throws -> CFDecoding {
        CFDecoding(dataType: v.dataType, attributes: v.attributes, netCDFDefaultFill: false)
    }

    /// Reads the stored values of a validated hyperslab, decoding the chunks it touches.
    public func readStored(_ v: VariableInfo, _ slab: Hyperslab, into buffer: UnsafeMutableRawPointer) throws {
        guard let a = assemblies[v.path] else {
            if layout.arrays[v.path] == nil { throw WXIOError.variableNotFound(path: path, variable: v.path) }
            throw WXIOError.unsupportedType(path: path, variable: v.path, type: v.dataType.rawValue)
        }
        try a.read(slab, into: buffer)
    }

    /// Decodes the chunks a validated hyperslab touches straight into `out` (no buffer of stored values for the whole read).
    public func readDecoded<T: BinaryFloatingPoint & Sendable>(_ v: VariableInfo, _ slab: Hyperslab, decoding: CFDecoding,
                                                              into out: UnsafeMutablePointer<T>) throws {
        guard let a = assemblies[v.path] else {
            if layout.arrays[v.path] == nil { throw WXIOError.variableNotFound(path: path, variable: v.path) }
            throw WXIOError.unsupportedType(path: path, variable: v.path, type: v.dataType.rawValue)
        }
        try a.readDecoded(slab, decoding: decoding, into: out)
    }

    private func info(_ a: ZarrArrayMetadata, path p: String) -> VariableInfo {
        VariableInfo(path: p, name: a.name, groupPath: a.groupPath, dataType: a.dataType,
                     dimensions: zip(a.dimensionNames, a.shape).map { DimensionInfo(name: $0, size: $1) },
                     attributes: a.attributes, chunkShape: a.chunks)
    }

    private func normalised(_ group: String) -> String {
        let parts = group.split(separator: "/")
        return "/" + parts.joined(separator: "/")
    }
}
