import Foundation
import WXCore

/// Reads a hyperslab of a Zarr array by decoding the chunks it touches (on `Parallel.threads` workers: each chunk
/// fills its own part of the output, so the bytes are the same at any thread count) and copying their selected points.
/// A chunk whose file does not exist holds the array's fill value, as in zarr-python (and so xarray).
final class ZarrChunkAssembly: @unchecked Sendable {
    let store: String
    let variable: String
    let array: ZarrArrayMetadata
    /// The array's directory.
    let directory: String
    private let chunkBytes: Int
    private let cacheLock = NSLock()
    private var cached: (indices: [Int], bytes: [UInt8])?

    /// An assembler of `array` (at `variable` in `store`).
    init(store: String, variable: String, array: ZarrArrayMetadata) throws {
        self.store = store
        self.variable = variable
        self.array = array
        directory = store + (variable.hasPrefix("/") ? variable : "/" + variable)
        let points = try ReadMemoryCap.product(array.chunks, path: store, variable: variable)
        try ReadMemoryCap.check(count: points, elementBytes: array.elementSize, copies: 2, path: store, variable: variable, what: "a chunk")
        chunkBytes = points * array.elementSize
    }

    /// One dimension's part of a chunk: chunk index `chunk` holds slab positions `first...last`.
    private struct Span { let chunk: Int; let first: Int; let last: Int }

    /// Fills `buffer` with the stored values of the validated `slab` (native byte order).
    func read(_ slab: Hyperslab, into buffer: UnsafeMutableRawPointer) throws {
        if let codec = array.unsupportedCodec { throw ZarrError.unsupportedCodec(store: store, variable: variable, codec: codec) }
        guard slab.elementCount > 0 else { return }
        let rank = array.shape.count
        var spans: [[Span]] = []
        for d in 0..<rank {
            let c = array.chunks[d], s = slab.start[d], st = slab.stride[d]
            let lastPoint = s + (slab.count[d] - 1) * st
            var list: [Span] = []
            for chunk in (s / c)...(lastPoint / c) {
                let lo = chunk * c, hi = lo + c - 1
                let first = max(0, (lo - s + st - 1) / st), last = min(slab.count[d] - 1, (hi - s) / st)
                if first <= last && s + first * st >= lo { list.append(Span(chunk: chunk, first: first, last: last)) }
            }
            spans.append(list)
        }
        let total = spans.reduce(1) { $0 * $1.count }
        let out = UncheckedPointer(buffer)
        if total == 1 {
            let pick = spans.map { $0[0] }
            let bytes = try cachedChunk(pick.map(\.chunk))
            bytes.withUnsafeBytes { copy(from: $0.baseAddress!, spans: pick, slab: slab, into: out.pointer) }
            return
        }
        var failures = [Error?](repeating: nil, count: total)
        let failureLock = NSLock()
        let bytes = max(chunkBytes, 1)
        Parallel.forEach(total, perWorker: { ChunkScratch(bytes) }) { scratch, k in
            var r = k
            var pick = [Span](repeating: Span(chunk: 0, first: 0, last: 0), count: rank)
            for d in stride(from: rank - 1, through: 0, by: -1) {
                pick[d] = spans[d][r % spans[d].count]
                r /= spans[d].count
            }
            do {
                try decode(pick.map(\.chunk), into: scratch.pointer)
                copy(from: scratch.pointer, spans: pick, slab: slab, into: out.pointer)
            } catch {
                failureLock.lock()
                failures[k] = error
                failureLock.unlock()
            }
        }
        if let first = failures.lazy.compactMap({ $0 }).first { throw first }
    }

    /// The decoded chunk at `indices`, kept while the next read asks for the same one (planes read one by one from a
    /// chunk holding several).
    private func cachedChunk(_ indices: [Int]) throws -> [UInt8] {
        cacheLock.lock()
        if let c = cached, c.indices == indices { cacheLock.unlock(); return c.bytes }
        cacheLock.unlock()
        var bytes = [UInt8](repeating: 0, count: chunkBytes)
        try bytes.withUnsafeMutableBytes { try decode(indices, into: $0.baseAddress!) }
        cacheLock.lock()
        cached = (indices, bytes)
        cacheLock.unlock()
        return bytes
    }

    /// Decodes the chunk at `indices` into `dst` (`chunkBytes` long, native byte order), or fills it when it was never written.
    func decode(_ indices: [Int], into dst: UnsafeMutableRawPointer) throws {
        let key = array.chunkKey(indices)
        let file = directory + "/" + key
        let fd = open(file, O_RDONLY)
        if fd < 0 {
            let err = errno
            if err == ENOENT || err == ENOTDIR { fill(dst); return }
            throw WXIOError.unreadable(path: file, reason: String(cString: strerror(err)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw ZarrError.corruptChunk(store: store, variable: variable, chunk: key, detail: "not a regular file")
        }
        let size = Int(st.st_size)
        guard size <= ReadMemoryCap.bytes else {
            throw WXIOError.tooLarge(path: file, variable: variable, detail: "chunk file of \(size) bytes")
        }
        var raw = [UInt8](repeating: 0, count: size)
        let got = raw.withUnsafeMutableBytes { b -> Int in
            var done = 0
            while done < size {
                let n = pread(fd, b.baseAddress! + done, size - done, off_t(done))
                if n <= 0 { break }
                done += n
            }
            return done
        }
        guard got == size else { throw WXIOError.unreadable(path: file, reason: "read \(got) of \(size) bytes") }
        do {
            if array.codecs.isEmpty {
                guard size == chunkBytes else { throw ZarrCodec.Failure(detail: "\(size) bytes, the chunk needs \(chunkBytes)") }
                raw.withUnsafeBytes { dst.copyMemory(from: $0.baseAddress!, byteCount: size) }
            } else {
                var current = raw
                for codec in array.codecs.dropFirst().reversed() {
                    current = try current.withUnsafeBytes { try codec.decode($0) }
                }
                try current.withUnsafeBytes { try array.codecs[0].decode($0, into: dst, expected: chunkBytes) }
            }
        } catch let f as ZarrCodec.Failure {
            throw ZarrError.corruptChunk(store: store, variable: variable, chunk: key, detail: f.detail)
        }
        if array.bigEndian { ZarrChunkAssembly.swapBytes(dst, count: chunkBytes / array.elementSize, size: array.elementSize) }
    }

    /// Writes the fill value into every element of a chunk.
    private func fill(_ dst: UnsafeMutableRawPointer) {
        let e = array.elementSize
        if array.fillBytes.allSatisfy({ $0 == 0 }) { dst.initializeMemory(as: UInt8.self, repeating: 0, count: chunkBytes); return }
        array.fillBytes.withUnsafeBytes { f in
            for i in 0..<(chunkBytes / e) { (dst + i * e).copyMemory(from: f.baseAddress!, byteCount: e) }
        }
    }

    /// Copies the slab points inside one chunk from the decoded chunk to their places in the output.
    private func copy(from chunk: UnsafeRawPointer, spans: [Span], slab: Hyperslab, into out: UnsafeMutableRawPointer) {
        let rank = spans.count
        let e = array.elementSize
        if rank == 0 { out.copyMemory(from: chunk, byteCount: e); return }
        var chunkStride = [Int](repeating: 1, count: rank), outStride = [Int](repeating: 1, count: rank)
        if array.fortranOrder {
            for d in 1..<rank { chunkStride[d] = chunkStride[d - 1] * array.chunks[d - 1] }
        } else {
            for d in stride(from: rank - 2, through: 0, by: -1) { chunkStride[d] = chunkStride[d + 1] * array.chunks[d + 1] }
        }
        for d in stride(from: rank - 2, through: 0, by: -1) { outStride[d] = outStride[d + 1] * slab.count[d + 1] }
        // Position in the chunk of slab point k along d: start + k * stride - chunk * chunkSize.
        func chunkIndex(_ d: Int, _ k: Int) -> Int { slab.start[d] + k * slab.stride[d] - spans[d].chunk * array.chunks[d] }
        let last = rank - 1
        let n = spans[last].last - spans[last].first + 1
        let step = slab.stride[last] * chunkStride[last]
        var k = spans.map(\.first)
        while true {
            var src = 0, dst = 0
            for d in 0..<rank { src += chunkIndex(d, k[d]) * chunkStride[d]; dst += k[d] * outStride[d] }
            let s = chunk + src * e, o = out + dst * e
            if step == 1 {
                o.copyMemory(from: s, byteCount: n * e)
            } else {
                switch e {
                case 1: for i in 0..<n { o.storeBytes(of: s.load(fromByteOffset: i * step, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
                case 2: for i in 0..<n { o.storeBytes(of: s.loadUnaligned(fromByteOffset: i * step * 2, as: UInt16.self), toByteOffset: i * 2, as: UInt16.self) }
                case 4: for i in 0..<n { o.storeBytes(of: s.loadUnaligned(fromByteOffset: i * step * 4, as: UInt32.self), toByteOffset: i * 4, as: UInt32.self) }
                default: for i in 0..<n { o.storeBytes(of: s.loadUnaligned(fromByteOffset: i * step * 8, as: UInt64.self), toByteOffset: i * 8, as: UInt64.self) }
                }
            }
            var d = last - 1
            while d >= 0 {
                k[d] += 1
                if k[d] <= spans[d].last { break }
                k[d] = spans[d].first
                d -= 1
            }
            if d < 0 { return }
        }
    }

    /// Reverses the bytes of each of `count` elements of `size` bytes.
    static func swapBytes(_ p: UnsafeMutableRawPointer, count: Int, size: Int) {
        switch size {
        case 2: for i in 0..<count { p.storeBytes(of: p.load(fromByteOffset: i * 2, as: UInt16.self).byteSwapped, toByteOffset: i * 2, as: UInt16.self) }
        case 4: for i in 0..<count { p.storeBytes(of: p.load(fromByteOffset: i * 4, as: UInt32.self).byteSwapped, toByteOffset: i * 4, as: UInt32.self) }
        case 8: for i in 0..<count { p.storeBytes(of: p.load(fromByteOffset: i * 8, as: UInt64.self).byteSwapped, toByteOffset: i * 8, as: UInt64.self) }
        default: break
        }
    }
}

/// One worker's decoded-chunk buffer, reused across the chunks it takes.
private final class ChunkScratch {
    let pointer: UnsafeMutableRawPointer
    init(_ bytes: Int) { pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64) }
    deinit { pointer.deallocate() }
}

/// A raw pointer handed to concurrent workers that write disjoint parts of it.
private struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ p: UnsafeMutableRawPointer) { pointer = p }
}
