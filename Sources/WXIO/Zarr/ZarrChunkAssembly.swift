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

    /// Per dimension, the chunks `slab` touches and the slab positions each holds.
    private func spans(_ slab: Hyperslab) -> [[Span]] {
        (0..<array.shape.count).map { d in
            let c = array.chunks[d], s = slab.start[d], st = slab.stride[d]
            let lastPoint = s + (slab.count[d] - 1) * st
            var list: [Span] = []
            for chunk in (s / c)...(lastPoint / c) {
                let lo = chunk * c, hi = lo + c - 1
                let first = max(0, (lo - s + st - 1) / st), last = min(slab.count[d] - 1, (hi - s) / st)
                if first <= last && s + first * st >= lo { list.append(Span(chunk: chunk, first: first, last: last)) }
            }
            return list
        }
    }

    /// Runs `body` on every chunk the slab touches, on `Parallel.threads` workers with a scratch each; rethrows the
    /// error of the first failing chunk in chunk order (so the error, like the bytes, does not depend on the thread count).
    private func forEachChunk(_ spans: [[Span]], _ body: (ZarrChunkScratch, [Span]) throws -> Void) throws {
        let rank = spans.count
        let total = spans.reduce(1) { $0 * $1.count }
        var failures = [Error?](repeating: nil, count: total)
        let failureLock = NSLock()
        let bytes = chunkBytes
        try withoutActuallyEscaping(body) { body in
            Parallel.forEach(total, perWorker: { ZarrChunkScratch(chunkBytes: bytes) }) { scratch, k in
                var r = k
                var pick = [Span](repeating: Span(chunk: 0, first: 0, last: 0), count: rank)
                for d in stride(from: rank - 1, through: 0, by: -1) {
                    pick[d] = spans[d][r % spans[d].count]
                    r /= spans[d].count
                }
                do { try body(scratch, pick) } catch {
                    failureLock.lock()
                    failures[k] = error
                    failureLock.unlock()
                }
            }
            if let first = failures.lazy.compactMap({ $0 }).first { throw first }
        }
    }

    /// Fills `buffer` with the stored values of the validated `slab` (native byte order).
    func read(_ slab: Hyperslab, into buffer: UnsafeMutableRawPointer) throws {
        if let codec = array.unsupportedCodec { throw ZarrError.unsupportedCodec(store: store, variable: variable, codec: codec) }
        guard slab.elementCount > 0 else { return }
        let spans = spans(slab)
        let out = UncheckedPointer(buffer)
        if spans.allSatisfy({ $0.count == 1 }) {
            let pick = spans.map { $0[0] }
            let bytes = try cachedChunk(pick.map(\.chunk))
            bytes.withUnsafeBytes { b in
                forEachRun(from: b.baseAddress!, spans: pick, slab: slab) { src, step, n, dst in
                    gather(src, step: step, count: n, into: out.pointer + dst * array.elementSize)
                }
            }
            return
        }
        try forEachChunk(spans) { scratch, pick in
            let chunk = scratch.decodedChunk()
            try decode(pick.map(\.chunk), into: chunk, scratch: scratch)
            forEachRun(from: chunk, spans: pick, slab: slab) { src, step, n, dst in
                gather(src, step: step, count: n, into: out.pointer + dst * array.elementSize)
            }
        }
    }

    /// Fills `out` with the CF-decoded values of the validated `slab`. A chunk that lies whole and contiguous in the
    /// output, stored as `T`, is decompressed straight into its place and decoded there; any other goes through the
    /// worker's decoded-chunk scratch. Each value is decoded on its own, so the bits do not depend on the path taken.
    func readDecoded<T: BinaryFloatingPoint & Sendable>(_ slab: Hyperslab, decoding: CFDecoding, into out: UnsafeMutablePointer<T>) throws {
        if let codec = array.unsupportedCodec { throw ZarrError.unsupportedCodec(store: store, variable: variable, codec: codec) }
        guard slab.elementCount > 0 else { return }
        let spans = spans(slab)
        let o = UncheckedPointer(UnsafeMutableRawPointer(out))
        let sameLayout = !array.fortranOrder && MemoryLayout<T>.size == array.elementSize
            && ((decoding.storedType == .float32 && T.self == Float.self) || (decoding.storedType == .float64 && T.self == Double.self))
        let rank = array.shape.count
        var outStride = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { outStride[d] = outStride[d + 1] * slab.count[d + 1] }
        let chunkPoints = chunkBytes / max(array.elementSize, 1)
        let oneChunk = spans.allSatisfy { $0.count == 1 }

        /// The output offset of a chunk that can be decoded in place, or nil.
        func directOffset(_ pick: [Span]) -> Int? {
            guard sameLayout else { return nil }
            var outer = true
            for d in 0..<rank {
                let c = array.chunks[d], p = pick[d]
                // the whole chunk, every point of it, inside the slab ...
                guard p.last - p.first + 1 == c, c == 1 || slab.stride[d] == 1 else { return nil }
                // ... and contiguous in the output: extent 1 before the first dimension it spans, full extent after
                if outer { if c > 1 { outer = false } } else if c != slab.count[d] { return nil }
            }
            return zip(pick, outStride).reduce(0) { $0 + $1.0.first * $1.1 }
        }
        func decodeRuns(_ chunk: UnsafeRawPointer, _ pick: [Span], _ row: UnsafeMutableRawPointer) {
            let typed = o.pointer.assumingMemoryBound(to: T.self)
            forEachRun(from: chunk, spans: pick, slab: slab) { src, step, n, dst in
                if step == 1 { decoding.decode(raw: src, count: n, into: typed + dst); return }
                gather(src, step: step, count: n, into: row)
                decoding.decode(raw: row, count: n, into: typed + dst)
            }
        }
        if oneChunk && directOffset(spans.map { $0[0] }) == nil {
            let pick = spans.map { $0[0] }
            let bytes = try cachedChunk(pick.map(\.chunk))
            let row = UnsafeMutableRawPointer.allocate(byteCount: max(1, array.chunks.last ?? 1) * array.elementSize, alignment: 64)
            defer { row.deallocate() }
            bytes.withUnsafeBytes { decodeRuns($0.baseAddress!, pick, row) }
            return
        }
        try forEachChunk(spans) { scratch, pick in
            if let offset = directOffset(pick) {
                let place = o.pointer + offset * array.elementSize
                try decode(pick.map(\.chunk), into: place, scratch: scratch)
                if !decoding.isIdentity {
                    decoding.decode(raw: UnsafeRawPointer(place), count: chunkPoints, into: place.assumingMemoryBound(to: T.self))
                }
            } else {
                let chunk = scratch.decodedChunk()
                try decode(pick.map(\.chunk), into: chunk, scratch: scratch)
                decodeRuns(chunk, pick, scratch.row(array.chunks.last ?? 1, elementSize: array.elementSize))
            }
        }
    }

    /// The decoded chunk at `indices`, kept while the next read asks for the same one (planes read one by one from a
    /// chunk holding several).
    private func cachedChunk(_ indices: [Int]) throws -> [UInt8] {
        cacheLock.lock()
        if let c = cached, c.indices == indices { cacheLock.unlock(); return c.bytes }
        cacheLock.unlock()
        var bytes = [UInt8](repeating: 0, count: chunkBytes)
        let scratch = ZarrChunkScratch(chunkBytes: chunkBytes)
        try bytes.withUnsafeMutableBytes { try decode(indices, into: $0.baseAddress!, scratch: scratch) }
        cacheLock.lock()
        cached = (indices, bytes)
        cacheLock.unlock()
        return bytes
    }

    /// Decodes the chunk at `indices` into `dst` (`chunkBytes` long, native byte order), or fills it when it was never
    /// written; the chunk's bytes go through `scratch` (or straight into `dst` when the array has no codec). In a
    /// sharded array the chunk is found through its shard's index.
    func decode(_ indices: [Int], into dst: UnsafeMutableRawPointer, scratch: ZarrChunkScratch) throws {
        let shardIndices = array.sharding.map { $0.locate(indices).shard } ?? indices
        let key = array.chunkKey(shardIndices)
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
        let fileSize = Int(st.st_size)
        guard fileSize <= ReadMemoryCap.bytes else {
            throw WXIOError.tooLarge(path: file, variable: variable, detail: "chunk file of \(fileSize) bytes")
        }
        func readAll(_ p: UnsafeMutableRawPointer, _ count: Int, at offset: Int) throws {
            var done = 0
            while done < count {
                let n = pread(fd, p + done, count - done, off_t(offset + done))
                if n <= 0 { break }
                done += n
            }
            guard done == count else { throw WXIOError.unreadable(path: file, reason: "read \(done) of \(count) bytes at byte \(offset)") }
        }
        var label = key, offset = 0, size = fileSize
        do {
            if let sharding = array.sharding {
                let entry = sharding.locate(indices).entry
                label = key + " (inner chunk \(indices.map(String.init).joined(separator: ",")))"
                let indexBytes = sharding.indexBytes
                guard fileSize >= indexBytes else {
                    throw ZarrCodec.Failure(detail: "shard of \(fileSize) bytes, its index needs \(indexBytes)")
                }
                var index = [UInt8](repeating: 0, count: indexBytes)
                try index.withUnsafeMutableBytes { try readAll($0.baseAddress!, indexBytes, at: sharding.indexAtEnd ? fileSize - indexBytes : 0) }
                let (o, n): (UInt64, UInt64) = try index.withUnsafeBytes { raw in
                    let entries = sharding.indexChecksummed ? try ZarrCodec.verifiedPayload(raw) : raw
                    return (UInt64(littleEndian: entries.loadUnaligned(fromByteOffset: entry * 16, as: UInt64.self)),
                            UInt64(littleEndian: entries.loadUnaligned(fromByteOffset: entry * 16 + 8, as: UInt64.self)))
                }
                if o == UInt64.max && n == UInt64.max { fill(dst); return }
                guard o <= UInt64(fileSize), n <= UInt64(fileSize) - o else {
                    throw ZarrCodec.Failure(detail: "index gives bytes \(o) + \(n), past the shard's \(fileSize)")
                }
                offset = Int(o)
                size = Int(n)
            }
            if array.codecs.isEmpty && size != chunkBytes {
                throw ZarrCodec.Failure(detail: "\(size) bytes, the chunk needs \(chunkBytes)")
            }
            let raw = array.codecs.isEmpty ? dst : scratch.compressed(size)
            try readAll(raw, size, at: offset)
            if !array.codecs.isEmpty { try decodeCodecs(UnsafeRawBufferPointer(start: raw, count: size), stage: array.codecs.count - 1, into: dst) }
        } catch let f as ZarrCodec.Failure {
            throw ZarrError.corruptChunk(store: store, variable: variable, chunk: label, detail: f.detail)
        } catch let m as ZarrCodec.ChecksumMismatch {
            throw ZarrError.checksumMismatch(store: store, variable: variable, chunk: label, stored: m.stored, computed: m.computed)
        }
        if array.bigEndian { ZarrChunkAssembly.swapBytes(dst, count: chunkBytes / array.elementSize, size: array.elementSize) }
    }

    /// Undoes codecs `stage` down to 0 (outermost first): a checksum is checked and cut off in place, an outer
    /// compressor decodes into memory of its own, the innermost decodes into `dst`.
    private func decodeCodecs(_ src: UnsafeRawBufferPointer, stage: Int, into dst: UnsafeMutableRawPointer) throws {
        let codec = array.codecs[stage]
        if stage == 0 { return try codec.decode(src, into: dst, expected: chunkBytes) }
        if codec == .crc32c { return try decodeCodecs(try ZarrCodec.verifiedPayload(src), stage: stage - 1, into: dst) }
        let inner = try codec.decode(src)
        try inner.withUnsafeBytes { try decodeCodecs($0, stage: stage - 1, into: dst) }
    }

    /// Writes the fill value into every element of a chunk.
    private func fill(_ dst: UnsafeMutableRawPointer) {
        let e = array.elementSize
        if array.fillBytes.allSatisfy({ $0 == 0 }) { dst.initializeMemory(as: UInt8.self, repeating: 0, count: chunkBytes); return }
        array.fillBytes.withUnsafeBytes { f in
            for i in 0..<(chunkBytes / e) { (dst + i * e).copyMemory(from: f.baseAddress!, byteCount: e) }
        }
    }

    /// Calls `body(source, step, n, outputIndex)` for each run of slab points inside one chunk along the last dimension:
    /// `n` elements, `step` elements apart in the decoded chunk from `source`, going to output elements `outputIndex...`.
    private func forEachRun(from chunk: UnsafeRawPointer, spans: [Span], slab: Hyperslab,
                            _ body: (UnsafeRawPointer, Int, Int, Int) -> Void) {
        let rank = spans.count
        let e = array.elementSize
        if rank == 0 { body(chunk, 1, 1, 0); return }
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
            body(chunk + src * e, step, n, dst)
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

    /// Copies `n` elements lying `step` elements apart from `s` to consecutive elements at `o`.
    private func gather(_ s: UnsafeRawPointer, step: Int, count n: Int, into o: UnsafeMutableRawPointer) {
        let e = array.elementSize
        if step == 1 { o.copyMemory(from: s, byteCount: n * e); return }
        switch e {
        case 1: for i in 0..<n { o.storeBytes(of: s.load(fromByteOffset: i * step, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
        case 2: for i in 0..<n { o.storeBytes(of: s.loadUnaligned(fromByteOffset: i * step * 2, as: UInt16.self), toByteOffset: i * 2, as: UInt16.self) }
        case 4: for i in 0..<n { o.storeBytes(of: s.loadUnaligned(fromByteOffset: i * step * 4, as: UInt32.self), toByteOffset: i * 4, as: UInt32.self) }
        default: for i in 0..<n { o.storeBytes(of: s.loadUnaligned(fromByteOffset: i * step * 8, as: UInt64.self), toByteOffset: i * 8, as: UInt64.self) }
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

/// One worker's memory, reused across the chunks it takes: a chunk file's bytes (grown to the largest file), a decoded
/// chunk and a row of gathered points, the last two made on first use (chunks decoded in place need neither).
final class ZarrChunkScratch {
    private let file = GrowableScratch(), chunk = GrowableScratch(), gathered = GrowableScratch()
    private let chunkBytes: Int

    /// Scratch for chunks of `chunkBytes` decoded bytes.
    init(chunkBytes: Int) { self.chunkBytes = max(chunkBytes, 1) }

    /// Memory for a chunk file of `bytes` bytes.
    func compressed(_ bytes: Int) -> UnsafeMutableRawPointer { file.bytes(bytes) }

    /// Memory for one decoded chunk.
    func decodedChunk() -> UnsafeMutableRawPointer { chunk.bytes(chunkBytes) }

    /// Memory for `count` gathered elements of `elementSize` bytes (one chunk row).
    func row(_ count: Int, elementSize: Int) -> UnsafeMutableRawPointer { gathered.bytes(count * elementSize) }
}

/// A raw pointer handed to concurrent workers that write disjoint parts of it.
private struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ p: UnsafeMutableRawPointer) { pointer = p }
}
