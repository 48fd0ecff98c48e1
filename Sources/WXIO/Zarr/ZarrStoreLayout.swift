import Foundation
import WXCore

/// The groups and arrays of a Zarr store on disk, from its consolidated metadata when it has some (as xarray uses it),
/// else by walking the group directories.
struct ZarrStoreLayout: Sendable {
    /// 2 or 3.
    let zarrFormat: Int
    /// True when the listing came from consolidated metadata (v2 `.zmetadata`, v3 `consolidated_metadata`).
    let consolidated: Bool
    /// Group paths, "/" first, depth-first, names sorted.
    let groups: [String]
    /// Attributes of each group.
    let groupAttributes: [String: Attributes]
    /// Arrays by full path ("/t", "/forecast/t"), each group's sorted by name.
    let arrays: [String: ZarrArrayMetadata]
    /// Full paths of the arrays of each group, sorted by name.
    let arraysInGroup: [String: [String]]

    /// Groups nest at most this deep (as in the HDF5 reader), so a cyclic symbolic link cannot make the walk endless.
    static let maxDepth = 32

    /// True when `path` is a directory holding a Zarr group or array's metadata.
    static func looksLikeStore(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return false }
        return [".zgroup", ".zmetadata", ".zarray", "zarr.json"].contains { FileManager.default.fileExists(atPath: path + "/" + $0) }
    }

    /// Reads the layout of the store at `store`.
    init(store: String) throws {
        if let root = try ZarrJSON.object(at: "zarr.json", store: store) {
            try self.init(v3Root: root, store: store)
        } else {
            try self.init(v2Store: store)
        }
    }

    private init(zarrFormat: Int, consolidated: Bool, groupAttributes: [String: Attributes], arrays: [String: ZarrArrayMetadata],
                 store: String) throws {
        self.zarrFormat = zarrFormat
        self.consolidated = consolidated
        self.groupAttributes = groupAttributes
        self.arrays = arrays
        var order: [String] = []
        func visit(_ g: String) {
            order.append(g)
            let prefix = g == "/" ? "/" : g + "/"
            let children = groupAttributes.keys.filter { $0 != g && $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }
            for c in children.sorted() { visit(c) }
        }
        visit("/")
        groups = order
        var byGroup: [String: [String]] = [:]
        for (p, a) in arrays {
            guard groupAttributes[a.groupPath] != nil else {
                throw ZarrError.invalidMetadata(store: store, file: String(p.dropFirst()), detail: "the array is not inside a group")
            }
            byGroup[a.groupPath, default: []].append(p)
        }
        arraysInGroup = byGroup.mapValues { $0.sorted() }
    }

    // MARK: - v2

    private init(v2Store store: String) throws {
        if let meta = try ZarrJSON.object(at: ".zmetadata", store: store) {
            guard let docs = meta["metadata"] as? [String: Any] else {
                throw ZarrError.invalidMetadata(store: store, file: ".zmetadata", detail: "no \"metadata\" object")
            }
            var groups: [String: Attributes] = [:]
            var arrays: [String: ZarrArrayMetadata] = [:]
            for (key, doc) in docs {
                guard let obj = doc as? [String: Any] else {
                    throw ZarrError.invalidMetadata(store: store, file: ".zmetadata", detail: "\"\(key)\" is not an object")
                }
                let node = ZarrStoreLayout.nodePath(key.split(separator: "/").dropLast().joined(separator: "/"))
                if key.hasSuffix(".zgroup") {
                    groups[node] = ZarrJSON.attributes(docs[ZarrStoreLayout.relative(node, ".zattrs")] as? [String: Any])
                } else if key.hasSuffix(".zarray") {
                    let (group, name) = ZarrStoreLayout.split(node)
                    arrays[node] = try .v2(name: name, groupPath: group, zarray: obj,
                                           zattrs: docs[ZarrStoreLayout.relative(node, ".zattrs")] as? [String: Any],
                                           store: store, file: ".zmetadata (\(key))")
                }
            }
            if groups["/"] == nil {
                throw ZarrError.invalidMetadata(store: store, file: ".zmetadata", detail: "no root \".zgroup\" (the store is not a group)")
            }
            try self.init(zarrFormat: 2, consolidated: true, groupAttributes: groups, arrays: arrays, store: store)
            return
        }
        guard try ZarrJSON.object(at: ".zgroup", store: store) != nil else {
            throw ZarrError.invalidMetadata(store: store, file: ".zgroup",
                                            detail: "no root \".zgroup\", \".zmetadata\" or \"zarr.json\" (the store is not a group)")
        }
        var groups: [String: Attributes] = [:]
        var arrays: [String: ZarrArrayMetadata] = [:]
        var stack: [(String, Int)] = [("/", 0)]
        while let (g, depth) = stack.popLast() {
            let rel = g == "/" ? "" : String(g.dropFirst()) + "/"
            groups[g] = ZarrJSON.attributes(try ZarrJSON.object(at: rel + ".zattrs", store: store))
            for child in try ZarrStoreLayout.subdirectories(store + "/" + rel, store: store) {
                let node = (g == "/" ? "/" : g + "/") + child
                if let zarray = try ZarrJSON.object(at: rel + child + "/.zarray", store: store) {
                    arrays[node] = try .v2(name: child, groupPath: g, zarray: zarray,
                                           zattrs: try ZarrJSON.object(at: rel + child + "/.zattrs", store: store),
                                           store: store, file: rel + child + "/.zarray")
                } else if try ZarrJSON.object(at: rel + child + "/.zgroup", store: store) != nil {
                    guard depth + 1 <= ZarrStoreLayout.maxDepth else {
                        throw ZarrError.invalidMetadata(store: store, file: rel + child, detail: "groups nest deeper than \(ZarrStoreLayout.maxDepth) levels")
                    }
                    stack.append((node, depth + 1))
                }
            }
        }
        try self.init(zarrFormat: 2, consolidated: false, groupAttributes: groups, arrays: arrays, store: store)
    }

    // MARK: - v3

    private init(v3Root root: [String: Any], store: String) throws {
        guard root["node_type"] as? String == "group" else {
            throw ZarrError.invalidMetadata(store: store, file: "zarr.json", detail: "the root node is not a group (node_type \(root["node_type"] ?? "missing"))")
        }
        var groups: [String: Attributes] = ["/": ZarrJSON.attributes(root["attributes"] as? [String: Any])]
        var arrays: [String: ZarrArrayMetadata] = [:]
        func add(_ node: String, _ json: [String: Any], file: String) throws -> Bool {
            switch json["node_type"] as? String {
            case "group":
                groups[node] = ZarrJSON.attributes(json["attributes"] as? [String: Any])
                return true
            case "array":
                let (group, name) = ZarrStoreLayout.split(node)
                arrays[node] = try .v3(name: name, groupPath: group, json: json, store: store, file: file)
                return false
            default:
                throw ZarrError.invalidMetadata(store: store, file: file, detail: "node_type is not \"group\" or \"array\"")
            }
        }
        if let cm = root["consolidated_metadata"] as? [String: Any], let docs = cm["metadata"] as? [String: Any] {
            for (key, doc) in docs {
                guard let obj = doc as? [String: Any] else {
                    throw ZarrError.invalidMetadata(store: store, file: "zarr.json", detail: "consolidated entry \"\(key)\" is not an object")
                }
                _ = try add(ZarrStoreLayout.nodePath(key), obj, file: "zarr.json (consolidated \(key))")
            }
            try self.init(zarrFormat: 3, consolidated: true, groupAttributes: groups, arrays: arrays, store: store)
            return
        }
        var stack: [(String, Int)] = [("/", 0)]
        while let (g, depth) = stack.popLast() {
            let rel = g == "/" ? "" : String(g.dropFirst()) + "/"
            for child in try ZarrStoreLayout.subdirectories(store + "/" + rel, store: store) {
                guard let json = try ZarrJSON.object(at: rel + child + "/zarr.json", store: store) else { continue }
                let node = (g == "/" ? "/" : g + "/") + child
                if try add(node, json, file: rel + child + "/zarr.json") {
                    guard depth + 1 <= ZarrStoreLayout.maxDepth else {
                        throw ZarrError.invalidMetadata(store: store, file: rel + child, detail: "groups nest deeper than \(ZarrStoreLayout.maxDepth) levels")
                    }
                    stack.append((node, depth + 1))
                }
            }
        }
        try self.init(zarrFormat: 3, consolidated: false, groupAttributes: groups, arrays: arrays, store: store)
    }

    // MARK: - paths

    /// "/" + a store-relative node path ("" is the root).
    static func nodePath(_ relative: String) -> String {
        let trimmed = relative.split(separator: "/").joined(separator: "/")
        return "/" + trimmed
    }

    /// The consolidated-metadata key of document `name` of node `node`.
    static func relative(_ node: String, _ name: String) -> String { node == "/" ? name : String(node.dropFirst()) + "/" + name }

    /// A node path's group path and name.
    static func split(_ node: String) -> (group: String, name: String) {
        let parts = node.split(separator: "/")
        return (parts.count <= 1 ? "/" : "/" + parts.dropLast().joined(separator: "/"), String(parts.last ?? ""))
    }

    /// Names of the subdirectories of `dir`, sorted (hidden ones skipped).
    static func subdirectories(_ dir: String, store: String) throws -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
            throw WXIOError.unreadable(path: dir, reason: "cannot list the Zarr group directory")
        }
        return names.filter { n in
            var isDir: ObjCBool = false
            return !n.hasPrefix(".") && FileManager.default.fileExists(atPath: dir + "/" + n, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
    }
}
