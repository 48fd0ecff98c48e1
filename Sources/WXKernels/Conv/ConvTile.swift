/// A cache-sized block of input rows packed for the micro-kernels, with the padding applied
/// while packing (wrapped, mirrored or clamped indices are read; no padded tensor is made).
///
/// Layout: [channel][row][phase][j], where phase `ph` of padded row `r` holds padded column
/// `j*stride + ph`, so that every kernel tap reads a contiguous run of output pixels.
struct ConvTile {
    let g: ConvGeometry
    /// Output rows per tile.
    let tileRows: Int
    /// Input rows held per tile: (tileRows-1)*sh + kh.
    let rows: Int
    /// Length of one phase row (output width rounded up to the block width, plus the tap shift).
    let phaseLength: Int
    var phaseStride: Int { phaseLength }
    var rowStride: Int { g.strideWidth * phaseLength }
    var channelStride: Int { rows * rowStride }
    /// Channels packed at once.
    let channelBlock: Int
    /// Source column of each (phase, j), or -1 for a zero.
    let columnMap: [Int]

    /// Tile plan for `g`; `budgetBytes` bounds the packed block so that it stays in L2.
    /// `tight` packs rows of exactly Wout + kw - 1 (stride 1), so that consecutive rows form one
    /// run of pixels for the weight-gradient kernel; otherwise rows are padded for 16-pixel blocks.
    /// `fullRows` keeps `tileRows` output rows per tile even where the output has fewer (rows past it are packed as
    /// zeros), for kernels that always read whole tiles.
    init(_ g: ConvGeometry, tileRows: Int, budgetBytes: Int, maxChannels: Int = Int.max, tight: Bool = false,
         blockWidth: Int = ConvMicroKernel.nr, fullRows: Bool = false) {
        self.g = g
        self.tileRows = fullRows ? tileRows : max(1, min(tileRows, g.outHeight))
        rows = (self.tileRows - 1) * g.strideHeight + g.kernelHeight
        if tight {
            phaseLength = g.outWidth + (g.kernelWidth - 1) / g.strideWidth
        } else {
            let wBlocks = (g.outWidth + blockWidth - 1) / blockWidth * blockWidth
            phaseLength = (wBlocks + (g.kernelWidth - 1) / g.strideWidth + 7) / 8 * 8
        }
        let perChannel = rows * g.strideWidth * phaseLength * 4
        // Equal blocks: 64 channels in a 56-channel budget become two blocks of 32, not 56 + 8.
        let most = max(1, min(g.inChannels, maxChannels, budgetBytes / max(perChannel, 1)))
        let blocks = (g.inChannels + most - 1) / most
        channelBlock = (g.inChannels + blocks - 1) / blocks
        var map = [Int](repeating: -1, count: g.strideWidth * phaseLength)
        let padded = g.padW.paddedLength(g.width)
        for ph in 0..<g.strideWidth {
            for j in 0..<phaseLength {
                let pc = j * g.strideWidth + ph
                if pc < padded { map[ph * phaseLength + j] = g.padW.source(pc, g.width) }
            }
        }
        columnMap = map
    }

    /// Floats needed for one packed tile.
    var floats: Int { channelBlock * channelStride + 64 }

    /// Offsets of the kernel taps for output row `r` of the tile (relative to the channel base).
    func tapOffsets(row r: Int, into offs: UnsafeMutablePointer<Int>) {
        var t = 0
        for a in 0..<g.kernelHeight {
            for b in 0..<g.kernelWidth {
                offs[t] = (r * g.strideHeight + a) * rowStride + (b % g.strideWidth) * phaseStride + b / g.strideWidth
                t += 1
            }
        }
    }

    /// Packs channels c0..<c0+kc of image `image` (pointer to [Cin][H][W]) for output rows starting at `oh0`.
    func pack(image: UnsafePointer<Float>, c0: Int, kc: Int, oh0: Int, into dst: UnsafeMutablePointer<Float>) {
        let h = g.height, w = g.width, sw = g.strideWidth, pl = phaseLength
        let paddedH = g.padH.paddedLength(h)
        let direct = sw == 1 && g.padW.before >= 0
        // For stride 1 the interior is a straight copy: j in [before, before+w) reads j-before.
        let j0 = direct ? min(g.padW.before, pl) : 0
        let j1 = direct ? min(g.padW.before + w, pl) : 0
        columnMap.withUnsafeBufferPointer { cmap in
            for c in 0..<kc {
                for r in 0..<rows {
                    let d = dst + c * channelStride + r * rowStride
                    let pr = oh0 * g.strideHeight + r
                    let iy = pr < paddedH ? g.padH.source(pr, h) : -1
                    if iy < 0 {
                        d.update(repeating: 0, count: rowStride)
                        continue
                    }
                    let src = image + ((c0 + c) * h + iy) * w
                    if direct {
                        for j in 0..<j0 { let s = cmap[j]; d[j] = s >= 0 ? src[s] : 0 }
                        if j1 > j0 { d.advanced(by: j0).update(from: src, count: j1 - j0) }
                        for j in j1..<pl { let s = cmap[j]; d[j] = s >= 0 ? src[s] : 0 }
                    } else {
                        for k in 0..<(sw * pl) { let s = cmap[k]; d[k] = s >= 0 ? src[s] : 0 }
                    }
                }
            }
        }
    }
}

/// Cache-line-aligned scratch buffers for tiles, so that vector loads split cache lines only where the tap shift forces it.
enum ConvBuffer {
    /// `count` floats, 64-byte aligned, zero-filled; free with `deallocate()`.
    static func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = uninitialized(count)
        p.initialize(repeating: 0, count: max(count, 1))
        return p
    }

    /// `count` floats, 64-byte aligned, of which only the last `zeroTail` are zeroed (the packer writes the rest).
    static func tile(_ count: Int, zeroTail: Int = 64) -> UnsafeMutablePointer<Float> {
        let p = uninitialized(count)
        let z = min(zeroTail, count)
        (p + (count - z)).initialize(repeating: 0, count: z)
        return p
    }

    private static func uninitialized(_ count: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }
}
