import CHDF5
import CZlib
import Foundation
import WXCore

/// Reads the 2-D fields of a variable in an HDF5-based file without the library's copies: a chunked,
/// zlib(+shuffle)-compressed field is fetched with HDF5's direct chunk read (under the library lock) and inflated
/// (libdeflate or zlib), unshuffled and CF-decoded outside the lock, so several cores decompress at once; an
/// uncompressed contiguous variable is located in the file once and its fields read with `pread` outside the lock.
/// Fields stored in the other byte order are swapped before CF decoding.
///
/// The direct path applies when the variable is stored in an HDF5-based file (netCDF-4 or HDF5) with one
/// chunk per 2-D field (chunk shape 1 x ... x 1 x ny x nx) or contiguously, a numeric type in either byte order,
/// and a filter pipeline of deflate alone, shuffle then deflate, or none. Anything else (and any chunk not written)
/// is read through the library path (`PlaneReader`), so results are the same either way (tested bit for bit).
public final class DirectChunkReader<T: BinaryFloatingPoint & Sendable>: @unchecked Sendable {
    /// Number of 2-D fields.
    public let planeCount: Int
    /// Points per 2-D field.
    public let planeSize: Int
    /// True when chunks are read directly and inflated here; false when every plane goes through the library.
    public let isDirect: Bool
    /// Why the direct path does not apply, when it does not.
    public let fallbackReason: String?
    /// The library that inflates chunks on the direct path.
    public let inflateBackend: InflateBackend

    private let library: PlaneReader<T>
    private let libraryLock = NSLock()
    private let decoding: CFDecoding
    private let leadingShape: [Int]
    private let rank: Int
    private let elementSize: Int
    private let shuffled: Bool
    private let deflated: Bool
    private let h5: HDF5File?
    private let did: hid_t
    private let path: String
    private let variablePath: String
    /// Stored in the byte order opposite to this machine's.
    private let swapped: Bool
    /// Byte offset in the file of a contiguous variable's data, whose fields are read with `pread` (nil: chunked).
    private let contiguousOffset: Int?
    /// The file opened for `pread` (-1 when `contiguousOffset` is nil).
    private let fd: Int32

    /// A reader of `variable` in `file` (a `NetCDFFile` or `HDF5File`); `inflate` chooses the zlib-stream
    /// decoder (default: libdeflate when the system has it, else zlib; both give the same bytes).
    public init(file: GriddedFile, variable: String, inflate: InflateBackend = .best) throws {
        inflateBackend = inflate.isAvailable ? inflate : .zlib
        library = try PlaneReader<T>(file: file, variable: variable)
        let v = library.variable
        decoding = library.decoding
        planeCount = library.planeCount
        planeSize = library.planeSize
        rank = v.dimensions.count
        leadingShape = Array(v.shape.prefix(max(0, rank - 2)))
        elementSize = decoding.storedType.byteSize ?? 1
        try ReadMemoryCap.check(count: planeSize, elementBytes: 3 * elementSize + MemoryLayout<T>.size, path: file.path,
                                variable: v.path, what: "a 2-D field with its decompression buffers")
        path = file.path
        variablePath = v.path

        var reason: String? = nil
        var opened = OpenedDataset(did: -1)
        var h5file: HDF5File? = nil
        let onePlaneChunks = v.chunkShape == leadingShape.map({ _ in 1 }) + v.shape.suffix(2)
        if rank < 2 { reason = "fewer than two dimensions" }
        else if let nc = file as? NetCDFFile, !nc.isNetCDF4 { reason = "not an HDF5-based file" }
        else if onePlaneChunks || v.chunkShape == nil {
            h5file = (file as? HDF5File) ?? (try? HDF5File(path: file.path))
            if let h = h5file {
                opened = DirectChunkReader.openDataset(h, v, decoding.storedType,
                                                       planeBytes: planeCount * planeSize * elementSize)
                reason = opened.reason
            } else {
                reason = "HDF5 cannot open the file"
            }
        } else {
            reason = "chunks are not one 2-D field each (chunk shape \(v.chunkShape.map { "\($0)" } ?? "none"))"
        }
        var descriptor: Int32 = -1
        if reason == nil, opened.contiguousOffset != nil {
            descriptor = open(file.path, O_RDONLY)
            if descriptor < 0 { reason = "the file cannot be opened for reading (errno \(errno))" }
        }
        h5 = reason == nil ? h5file : nil
        did = reason == nil ? opened.did : -1
        if reason != nil && opened.did >= 0 { _ = CLibraryLock.with { H5Dclose(opened.did) } }
        isDirect = reason == nil
        fallbackReason = reason
        shuffled = opened.shuffle
        deflated = opened.deflate
        swapped = opened.swapped
        contiguousOffset = reason == nil ? opened.contiguousOffset : nil
        fd = descriptor
    }

    deinit {
        if did >= 0 { _ = CLibraryLock.with { H5Dclose(did) } }
        if fd >= 0 { close(fd) }
    }

    /// What `openDataset` found: the dataset, its filters, byte order and layout, or why the direct path cannot be used.
    private struct OpenedDataset {
        var did: hid_t
        var shuffle = false, deflate = false, swapped = false
        var contiguousOffset: Int? = nil
        var reason: String? = nil
    }

    /// Opens the dataset and checks type, filters and layout (`planeBytes`: the stored bytes of all fields).
    private static func openDataset(_ h: HDF5File, _ v: VariableInfo, _ stored: GriddedDataType, planeBytes: Int) -> OpenedDataset {
        CLibraryLock.with {
            let did = H5Dopen2(h.fid, v.path, wx_H5P_DEFAULT())
            var o = OpenedDataset(did: did)
            guard did >= 0 else { o.reason = "HDF5 cannot open dataset \(v.path)"; return o }
            let tid = H5Dget_type(did)
            defer { H5Tclose(tid) }
            guard let native = HDF5File.nativeType(stored) else { o.reason = "stored type \(stored.rawValue) is not numeric"; return o }
            if H5Tequal(tid, native) <= 0 {
                // The same type in the other byte order is read and swapped.
                let other = H5Tcopy(native)
                defer { H5Tclose(other) }
                let order = H5Tget_order(native) == H5T_ORDER_LE ? H5T_ORDER_BE : H5T_ORDER_LE
                guard H5Tset_order(other, order) >= 0, H5Tequal(tid, other) > 0 else {
                    o.reason = "stored type is not \(stored.rawValue) in either byte order"; return o
                }
                o.swapped = true
            }
            let plist = H5Dget_create_plist(did)
            guard plist >= 0 else { o.reason = "no creation property list"; return o }
            defer { H5Pclose(plist) }
            var filters: [Int32] = []
            for i in 0..<max(0, H5Pget_nfilters(plist)) {
                var flags: UInt32 = 0
                var n = 4
                var cd = [UInt32](repeating: 0, count: 4)
                var conf: UInt32 = 0
                filters.append(H5Pget_filter2(plist, UInt32(i), &flags, &n, &cd, 0, nil, &conf))
            }
            switch filters {
            case [1]: o.deflate = true
            case [2, 1]: o.shuffle = true; o.deflate = true
            case []: break
            default: o.reason = "filter pipeline \(filters) is not [shuffle,] deflate"; return o
            }
            let layout = H5Pget_layout(plist)
            if layout == H5D_CONTIGUOUS {
                // Addresses are from the start of the file only without a user block; external storage is elsewhere.
                guard h.userBlockBytes == 0 else { o.reason = "the file has a user block"; return o }
                guard H5Pget_external_count(plist) == 0 else { o.reason = "the data are in external files"; return o }
                let address = H5Dget_offset(did)
                guard address != haddr_t.max, H5Dget_storage_size(did) >= hsize_t(planeBytes),
                      let offset = Int(exactly: address) else {
                    o.reason = "contiguous storage is not allocated"; return o
                }
                o.contiguousOffset = offset
            } else if layout != H5D_CHUNKED {
                o.reason = "layout is neither chunked nor contiguous"
            }
            return o
        }
    }

    /// Per-worker memory: the compressed chunk, the inflated bytes and the unshuffled bytes.
    private final class Scratch {
        var compressed: UnsafeMutableRawPointer
        var compressedCapacity: Int
        let inflated: UnsafeMutableRawPointer
        let unshuffled: UnsafeMutableRawPointer
        let inflater: Inflater
        init(bytes: Int, backend: InflateBackend) {
            inflater = Inflater(backend)
            compressedCapacity = bytes + 1024
            compressed = .allocate(byteCount: compressedCapacity, alignment: 64)
            inflated = .allocate(byteCount: max(bytes, 1), alignment: 64)
            unshuffled = .allocate(byteCount: max(bytes, 1), alignment: 64)
        }
        func reserve(_ n: Int) {
            guard n > compressedCapacity else { return }
            compressed.deallocate()
            compressedCapacity = n
            compressed = .allocate(byteCount: n, alignment: 64)
        }
        deinit { compressed.deallocate(); inflated.deallocate(); unshuffled.deallocate() }
    }

    /// Reads plane `index` into `buffer` (at least `planeSize` long).
    public func read(plane index: Int, into buffer: UnsafeMutableBufferPointer<T>) throws {
        guard isDirect else {
            libraryLock.lock(); defer { libraryLock.unlock() }
            return try library.read(plane: index, into: buffer)
        }
        guard index >= 0 && index < planeCount else {
            throw WXIOError.hyperslabOutOfBounds(path: path, variable: variablePath, detail: "plane \(index) of \(planeCount)")
        }
        guard buffer.count >= planeSize, let out = buffer.baseAddress else {
            throw WXIOError.invalidArgument(path: path, variable: variablePath,
                                            detail: "buffer holds \(buffer.count) values, a 2-D field needs \(planeSize)")
        }
        try readDirect(index, out, Scratch(bytes: planeSize * elementSize, backend: inflateBackend))
    }

    /// Calls `body(plane, values)` for every plane in `planes` (default all), decompressing on `Parallel.threads`
    /// workers; `body` runs concurrently on worker threads and must only touch what belongs to its plane.
    /// Each plane's values are the same bits whatever the thread count.
    public func forEachPlane(_ planes: Range<Int>? = nil, _ body: (Int, UnsafeBufferPointer<T>) -> Void) throws {
        let range = planes ?? 0..<planeCount
        guard range.lowerBound >= 0 && range.upperBound <= planeCount else {
            throw WXIOError.hyperslabOutOfBounds(path: path, variable: variablePath, detail: "planes \(range) of \(planeCount)")
        }
        let perWorker = ReadMemoryCap.bytes(count: planeSize, elementBytes: 3 * elementSize + MemoryLayout<T>.size) ?? Int.max
        let workers = isDirect ? max(1, min(Parallel.threads, range.count, ReadMemoryCap.bytes / max(perWorker, 1))) : 1
        let errorLock = NSLock()
        var firstError: Error?
        Parallel.withThreads(workers) {
            Parallel.forEach(workers) { w in
                let scratch = Scratch(bytes: planeSize * elementSize, backend: inflateBackend)
                let out = UnsafeMutableBufferPointer<T>.allocate(capacity: max(planeSize, 1))
                defer { out.deallocate() }
                var k = range.lowerBound + w
                while k < range.upperBound {
                    do {
                        if isDirect { try readDirect(k, out.baseAddress!, scratch) } else { try read(plane: k, into: out) }
                    } catch {
                        errorLock.lock(); if firstError == nil { firstError = error }; errorLock.unlock()
                        return
                    }
                    // `out` holds at least one value even for an empty field: pass only the field's own.
                    body(k, UnsafeBufferPointer(rebasing: out[0..<planeSize]))
                    k += workers
                }
            }
        }
        if let e = firstError { throw e }
    }

    /// Reads the planes `planes` (any order, repeats allowed) into consecutive slots of `buffer`: plane `planes[j]` goes
    /// to `buffer[j * planeSize ..< (j + 1) * planeSize]`. Inflates on `Parallel.threads` workers; the same bits as
    /// reading each plane alone.
    public func read(planes: [Int], into buffer: UnsafeMutableBufferPointer<T>) throws {
        guard buffer.count >= planes.count * planeSize, let base = buffer.baseAddress else {
            throw WXIOError.invalidArgument(path: path, variable: variablePath,
                                            detail: "buffer holds \(buffer.count) values, \(planes.count) 2-D fields need \(planes.count * planeSize)")
        }
        for k in planes where k < 0 || k >= planeCount {
            throw WXIOError.hyperslabOutOfBounds(path: path, variable: variablePath, detail: "plane \(k) of \(planeCount)")
        }
        guard isDirect else {
            libraryLock.lock(); defer { libraryLock.unlock() }
            for (j, k) in planes.enumerated() {
                try library.read(plane: k, into: UnsafeMutableBufferPointer(start: base + j * planeSize, count: planeSize))
            }
            return
        }
        let perWorker = ReadMemoryCap.bytes(count: planeSize, elementBytes: 3 * elementSize) ?? Int.max
        let workers = max(1, min(Parallel.threads, planes.count, ReadMemoryCap.bytes / max(perWorker, 1)))
        let errorLock = NSLock()
        var firstError: Error?
        // forEach runs min(threads, workers) = workers pieces at once, one per worker.
        Parallel.forEach(workers) { w in
            let scratch = Scratch(bytes: planeSize * elementSize, backend: inflateBackend)
            var j = w
            while j < planes.count {
                do { try readDirect(planes[j], base + j * planeSize, scratch) } catch {
                    errorLock.lock(); if firstError == nil { firstError = error }; errorLock.unlock()
                    return
                }
                j += workers
            }
        }
        if let e = firstError { throw e }
    }

    private func readDirect(_ index: Int, _ out: UnsafeMutablePointer<T>, _ s: Scratch) throws {
        var offset = [hsize_t](repeating: 0, count: rank)
        var r = index
        for d in stride(from: leadingShape.count - 1, through: 0, by: -1) {
            offset[d] = hsize_t(r % leadingShape[d])
            r /= leadingShape[d]
        }
        let bytes = planeSize * elementSize
        // When the output has the stored type, read (or unshuffle) straight into it and decode in place.
        let sameType = (T.self == Float.self && decoding.storedType == .float32)
            || (T.self == Double.self && decoding.storedType == .float64)
        if let base = contiguousOffset {
            let dest = sameType ? UnsafeMutableRawPointer(out) : s.inflated
            try readContiguous(index, at: base + index * bytes, into: dest)
            if swapped { DirectChunkReader.swapBytes(dest, count: planeSize, size: elementSize) }
            if sameType && decoding.isIdentity { return }
            decoding.decode(raw: dest, count: planeSize, into: out)
            return
        }
        var filterMask: UInt32 = 0
        var stored: hsize_t = 0
        let fileLength = UInt64(h5?.fileLength ?? 0)
        let ok: Bool = try CLibraryLock.with {
            guard H5Dget_chunk_storage_size(did, offset, &stored) >= 0, stored > 0 else { return false }
            guard stored <= fileLength else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "a chunk of \(variablePath) claims \(stored) bytes, the file has \(fileLength)")
            }
            s.reserve(Int(stored))
            return H5Dread_chunk(did, wx_H5P_DEFAULT(), offset, &filterMask, s.compressed) >= 0
        }
        guard ok else {
            // chunk never written (fill values) or unreadable: the library decides
            libraryLock.lock(); defer { libraryLock.unlock() }
            return try library.read(plane: index, into: UnsafeMutableBufferPointer(start: out, count: planeSize))
        }
        // Filter i is skipped for this chunk when bit i of the mask is set (pipeline order: [shuffle,] deflate).
        let deflateSkipped = filterMask & (shuffled ? 2 : 1) != 0
        let shuffleSkipped = filterMask & 1 != 0
        var data = UnsafeRawPointer(s.compressed)
        if deflated && !deflateSkipped {
            guard s.inflater.inflate(s.compressed, Int(stored), into: s.inflated, expected: bytes) else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "\(inflateBackend.rawValue) could not inflate a chunk of \(variablePath)")
            }
            data = UnsafeRawPointer(s.inflated)
        } else if Int(stored) != bytes {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "a chunk of \(variablePath) has \(stored) bytes, expected \(bytes)")
        }
        let outRaw = UnsafeMutableRawPointer(out)
        if shuffled && !shuffleSkipped {
            let dest = sameType ? outRaw : s.unshuffled
            DirectChunkReader.unshuffle(data, dest, count: planeSize, size: elementSize)
            data = UnsafeRawPointer(dest)
        } else if sameType {
            outRaw.copyMemory(from: data, byteCount: bytes)
            data = UnsafeRawPointer(outRaw)
        }
        if swapped { DirectChunkReader.swapBytes(UnsafeMutableRawPointer(mutating: data), count: planeSize, size: elementSize) }
        if sameType && decoding.isIdentity { return }
        decoding.decode(raw: data, count: planeSize, into: out)
    }

    /// Reads the stored bytes of plane `index`, at byte `start` of the file, with `pread` into `dest`.
    /// H5Dget_chunk_info_by_coord walks the whole chunk index in HDF5 1.10, so chunked fields go through
    /// H5Dread_chunk instead.
    private func readContiguous(_ index: Int, at start: Int, into dest: UnsafeMutableRawPointer) throws {
        let bytes = planeSize * elementSize
        let fileLength = h5?.fileLength ?? 0
        guard start >= 0, start <= fileLength - bytes else {
            throw WXIOError.truncatedOrCorrupt(path: path, detail: "plane \(index) of \(variablePath) lies at bytes \(start)..<\(start + bytes), the file has \(fileLength)")
        }
        var done = 0
        while done < bytes {
            let n = pread(fd, dest + done, bytes - done, off_t(start + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw WXIOError.truncatedOrCorrupt(path: path, detail: "reading plane \(index) of \(variablePath) at byte \(start + done) failed (\(n < 0 ? "errno \(errno)" : "end of file"))")
            }
            done += n
        }
    }

    /// Reverses the bytes of each of `count` elements of `size` bytes in place (the other byte order).
    static func swapBytes(_ p: UnsafeMutableRawPointer, count n: Int, size: Int) {
        switch size {
        case 1: return
        case 2: let q = p.assumingMemoryBound(to: UInt16.self); for i in 0..<n { q[i] = q[i].byteSwapped }
        case 4: let q = p.assumingMemoryBound(to: UInt32.self); for i in 0..<n { q[i] = q[i].byteSwapped }
        case 8: let q = p.assumingMemoryBound(to: UInt64.self); for i in 0..<n { q[i] = q[i].byteSwapped }
        default:
            let b = p.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n {
                for k in 0..<(size / 2) {
                    let x = b[i * size + k]; b[i * size + k] = b[i * size + size - 1 - k]; b[i * size + size - 1 - k] = x
                }
            }
        }
    }

    /// Undoes HDF5's shuffle filter: byte b of element i was stored at b * count + i.
    static func unshuffle(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, count n: Int, size: Int) {
        let s = src.assumingMemoryBound(to: UInt8.self)
        if size == 4 {
            let d = dst.assumingMemoryBound(to: UInt32.self)
            let b0 = s, b1 = s + n, b2 = s + 2 * n, b3 = s + 3 * n
            for i in 0..<n {
                d[i] = UInt32(b0[i]) | UInt32(b1[i]) << 8 | UInt32(b2[i]) << 16 | UInt32(b3[i]) << 24
            }
            return
        }
        if size == 2 {
            let d = dst.assumingMemoryBound(to: UInt16.self)
            let b0 = s, b1 = s + n
            for i in 0..<n { d[i] = UInt16(b0[i]) | UInt16(b1[i]) << 8 }
            return
        }
        let d = dst.assumingMemoryBound(to: UInt8.self)
        for b in 0..<size { for i in 0..<n { d[i * size + b] = s[b * n + i] } }
    }
}
