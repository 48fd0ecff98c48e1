/// A Zarr v3 array stored with the `sharding_indexed` codec: each file of the chunk grid (a shard) holds
/// `chunksPerShard` inner chunks, each found through the shard's index of (offset, nbytes) pairs, little-endian
/// uint64 in C order of the inner chunks, (2^64-1, 2^64-1) for one never written; the index sits at the end or the
/// start of the shard, followed by its crc32c when `index_codecs` has one.
struct ZarrSharding: Sendable, Equatable {
    /// Inner chunks per shard along each dimension.
    let chunksPerShard: [Int]
    /// The index is at the end of the shard file (else at its start).
    let indexAtEnd: Bool
    /// The index is followed by its CRC-32C.
    let indexChecksummed: Bool

    /// Bytes of the index, its checksum included.
    var indexBytes: Int { chunksPerShard.reduce(1, *) * 16 + (indexChecksummed ? 4 : 0) }

    /// The shard holding inner chunk `indices` and the inner chunk's position in the shard's index.
    func locate(_ indices: [Int]) -> (shard: [Int], entry: Int) {
        var entry = 0
        for (i, n) in zip(indices, chunksPerShard) { entry = entry * n + i % n }
        return (zip(indices, chunksPerShard).map { $0 / $1 }, entry)
    }
}
