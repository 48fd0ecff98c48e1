import Foundation
import WXCore

/// A model on disk: one directory holding
/// `config.json` (what the model is: architecture, variables, normalisation, training data, seed, wxens version),
/// `model.safetensors` (weights under PyTorch's `state_dict` names), `ema.safetensors` (their moving average),
/// `statistics.safetensors` (normalisation arrays, optional) and, to resume training, `optimizer.safetensors`
/// (`m.NAME`, `v.NAME`) with `state.json`.
///
/// A checkpoint is written whole into a temporary directory beside its final name and renamed into place, so a
/// reader never sees a mix of two checkpoints or half a file.
public struct Checkpoint: Sendable {
    /// The `config.json` text.
    public var config: Data
    /// Weights by name.
    public var weights: [String: Tensor]
    /// Moving-average weights by name (nil when absent).
    public var ema: [String: Tensor]?
    /// Normalisation arrays by name.
    public var statistics: [String: Tensor]
    /// Where training stood (nil for a model exported without its optimiser).
    public var training: TrainingSnapshot?

    /// A checkpoint in memory.
    public init(config: Data, weights: [String: Tensor], ema: [String: Tensor]?, statistics: [String: Tensor] = [:],
                training: TrainingSnapshot? = nil) {
        self.config = config
        self.weights = weights
        self.ema = ema
        self.statistics = statistics
        self.training = training
    }

    /// File names inside a checkpoint directory.
    public enum File {
        public static let config = "config.json", model = "model.safetensors", ema = "ema.safetensors"
        public static let statistics = "statistics.safetensors", optimizer = "optimizer.safetensors", state = "state.json"
    }

    /// Writes the checkpoint to directory `path` atomically (tensors in name order within each file).
    public func write(to path: String) throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: path)
        let parent = url.deletingLastPathComponent()
        let tag = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let tmp = parent.appendingPathComponent(".\(url.lastPathComponent).tmp-\(tag)")
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try fm.createDirectory(at: tmp, withIntermediateDirectories: false)
            func sorted(_ d: [String: Tensor]) -> [(name: String, tensor: Tensor)] { d.keys.sorted().map { ($0, d[$0]!) } }
            try config.write(to: tmp.appendingPathComponent(File.config))
            try SafeTensors.write(sorted(weights), metadata: ["format": "pt"], to: tmp.appendingPathComponent(File.model).path)
            if let ema { try SafeTensors.write(sorted(ema), metadata: ["format": "pt"], to: tmp.appendingPathComponent(File.ema).path) }
            if !statistics.isEmpty {
                try SafeTensors.write(sorted(statistics), to: tmp.appendingPathComponent(File.statistics).path)
            }
            if let training {
                var moments: [String: Tensor] = [:]
                for (k, t) in training.firstMoment { moments["m." + k] = t }
                for (k, t) in training.secondMoment { moments["v." + k] = t }
                try SafeTensors.write(sorted(moments), to: tmp.appendingPathComponent(File.optimizer).path)
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                try enc.encode(training.state).write(to: tmp.appendingPathComponent(File.state))
            }
        } catch {
            try? fm.removeItem(at: tmp)
            throw CheckpointError.cannotWrite(path: path, reason: "\(error)")
        }
        // Replace an existing checkpoint: move it aside, move the new one in, then delete the old one.
        let old = parent.appendingPathComponent(".\(url.lastPathComponent).old-\(tag)")
        let existed = fm.fileExists(atPath: path)
        if existed, rename(path, old.path) != 0 {
            try? fm.removeItem(at: tmp)
            throw CheckpointError.cannotWrite(path: path, reason: "cannot move the previous checkpoint aside (errno \(errno))")
        }
        guard rename(tmp.path, path) == 0 else {
            let e = errno
            if existed { _ = rename(old.path, path) }
            try? fm.removeItem(at: tmp)
            throw CheckpointError.cannotWrite(path: path, reason: "rename failed (errno \(e))")
        }
        if existed { try? fm.removeItem(at: old) }
    }

    /// Reads the checkpoint in directory `path` (the optimiser files only when present).
    public static func read(_ path: String) throws -> Checkpoint {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw CheckpointError.fileNotFound(path: path)
        }
        let dir = URL(fileURLWithPath: path)
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        guard let config = fm.contents(atPath: file(File.config)) else { throw CheckpointError.fileNotFound(path: file(File.config)) }
        let weights = try SafeTensors.read(file(File.model)).tensors
        let ema = fm.fileExists(atPath: file(File.ema)) ? try SafeTensors.read(file(File.ema)).tensors : nil
        let statistics = fm.fileExists(atPath: file(File.statistics)) ? try SafeTensors.read(file(File.statistics)).tensors : [:]
        var training: TrainingSnapshot? = nil
        if fm.fileExists(atPath: file(File.state)) {
            guard let data = fm.contents(atPath: file(File.state)),
                  let state = try? JSONDecoder().decode(TrainingState.self, from: data) else {
                throw CheckpointError.badHeader(path: file(File.state), detail: "not a training state")
            }
            let moments = try SafeTensors.read(file(File.optimizer)).tensors
            var m: [String: Tensor] = [:], v: [String: Tensor] = [:]
            for (k, t) in moments {
                if k.hasPrefix("m.") { m[String(k.dropFirst(2))] = t }
                else if k.hasPrefix("v.") { v[String(k.dropFirst(2))] = t }
                else { throw CheckpointError.unexpectedTensor(path: file(File.optimizer), tensor: k) }
            }
            training = TrainingSnapshot(state: state, firstMoment: m, secondMoment: v)
        }
        return Checkpoint(config: config, weights: weights, ema: ema, statistics: statistics, training: training)
    }
}

/// Where a training run stood when checkpointed: counters in `state.json`, AdamW moments beside them.
public struct TrainingSnapshot: Sendable {
    /// Step, seed, configuration hash, loss history.
    public var state: TrainingState
    /// AdamW's first and second moments by parameter name.
    public var firstMoment: [String: Tensor], secondMoment: [String: Tensor]
}

/// The counters of a training run (`state.json`). Every random draw is keyed by (seed, step, example), so these
/// counters are the whole random state.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimiser steps taken.
    public var step: Int
    /// Steps the run was configured for.
    public var totalSteps: Int
    /// The run's seed.
    public var seed: UInt64
    /// Hash of the model and training configuration (a resume with another configuration is refused).
    public var configHash: String
    /// Moving-average updates so far.
    public var emaUpdates: Int
    /// Training loss (mean since the last record) and validation loss at each evaluation.
    public var history: [LossRecord]
    /// Seconds of training so far (across resumes).
    public var elapsedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case step, seed, history
        case totalSteps = "total_steps", configHash = "config_hash", emaUpdates = "ema_updates", elapsedSeconds = "elapsed_seconds"
    }
}

/// One evaluation of a training run.
public struct LossRecord: Codable, Equatable, Sendable {
    /// The step evaluated at.
    public var step: Int
    /// Mean training loss since the previous record.
    public var training: Double
    /// Validation loss of the moving-average weights.
    public var validation: Double
}
