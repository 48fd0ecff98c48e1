import Foundation
import WXCore

/// The safetensors format (Hugging Face; `safetensors.torch.save_file` / `load_file`): an 8-byte little-endian
/// header length N, N bytes of JSON `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`
/// padded with spaces to a multiple of 8, then the tensors' bytes, little-endian, row-major.
///
/// wxens writes F32; it reads F32, F64, F16 and BF16 into float32 tensors and checks every offset, shape and size.
public enum SafeTensors {
    /// Writes `tensors` (in the given order) with string `metadata` to `path`, through a temporary file and a rename.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to path: String) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, t) in tensors {
            guard header[name] == nil, name != "__metadata__" else {
                throw CheckpointError.cannotWrite(path: path, reason: "tensor name \(name) appears twice")
            }
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
            offset += 4 * t.count
        }
        var json: Data
        do { json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) } catch {
            throw CheckpointError.cannotWrite(path: path, reason: "header: \(error)")
        }
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in tensors {
            t.withUnsafeBufferPointer { b in
                for x in b { withUnsafeBytes(of: x.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
            }
        }
        do { try AtomicFile.write(out, to: URL(fileURLWithPath: path)) } catch {
            throw CheckpointError.cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Reads every tensor of `path` (converted to float32) and its metadata.
    public static func read(_ path: String) throws -> SafeTensorsContents {
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError.fileNotFound(path: path) }
        return try parse(data, path: path)
    }

    /// Parses the bytes of a safetensors file; `path` names it in errors.
    public static func parse(_ data: Data, path: String) throws -> SafeTensorsContents {
        guard data.count >= 8 else { throw CheckpointError.truncated(path: path, detail: "\(data.count) bytes, no header length") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(data.count - 8) else {
            throw CheckpointError.truncated(path: path, detail: "header of \(n) bytes in a file of \(data.count)")
        }
        let headerBytes = data.subdata(in: 8 ..< 8 + Int(n))
        guard let object = try? JSONSerialization.jsonObject(with: headerBytes), let header = object as? [String: Any] else {
            throw CheckpointError.badHeader(path: path, detail: "the header is not a JSON object")
        }
        let body = data.subdata(in: 8 + Int(n) ..< data.count)
        var metadata: [String: String] = [:]
        var tensors: [String: Tensor] = [:]
        var spans: [(Int, Int, String)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else {
                    throw CheckpointError.badHeader(path: path, detail: "__metadata__ is not a map of strings")
                }
                metadata = m
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  shape.count == (entry["shape"] as? [Any])?.count, offsets.count == 2 else {
                throw CheckpointError.badHeader(path: path, detail: "tensor \(name): needs dtype, shape and two data_offsets")
            }
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F64": width = 8
            case "F16", "BF16": width = 2
            default: throw CheckpointError.unsupportedDType(path: path, tensor: name, dtype: dtype)
            }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw CheckpointError.badHeader(path: path, detail: "tensor \(name): negative extent in shape \(shape)")
            }
            let count = shape.reduce(1, *)
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end - begin == count * width else {
                throw CheckpointError.badHeader(path: path,
                    detail: "tensor \(name): offsets \(begin)..<\(end) do not hold \(count) \(dtype) values")
            }
            guard end <= body.count else {
                throw CheckpointError.truncated(path: path, detail: "tensor \(name) ends at byte \(end) of a \(body.count)-byte body")
            }
            spans.append((begin, end, name))
            tensors[name] = body.withUnsafeBytes { raw in
                Tensor(unsafeUninitializedShape: shape) { out in
                    let base = raw.baseAddress! + begin
                    for i in 0..<count {
                        switch dtype {
                        case "F32":
                            out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                        case "F64":
                            out[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                        case "F16":
                            out[i] = Float(Float16(bitPattern: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
                        default:
                            let bits = UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                            out[i] = Float(bitPattern: bits << 16)
                        }
                    }
                }
            }
        }
        spans.sort { $0.0 < $1.0 }
        for (a, b) in zip(spans, spans.dropFirst()) where b.0 < a.1 {
            throw CheckpointError.badHeader(path: path, detail: "tensors \(a.2) and \(b.2) overlap")
        }
        return SafeTensorsContents(tensors: tensors, metadata: metadata)
    }
}

/// What a safetensors file holds.
public struct SafeTensorsContents: Sendable {
    /// Tensors by name, as float32.
    public var tensors: [String: Tensor]
    /// The `__metadata__` strings.
    public var metadata: [String: String]
}
