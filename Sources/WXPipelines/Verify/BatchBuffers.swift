import Foundation

/// Reusable memory for the batches `wxens verify` reads: the reader fills one buffer while the scorer works on the
/// other, so each batch goes into memory already mapped instead of freshly allocated (and page-faulted) buffers.
final class BatchBuffers: @unchecked Sendable {
    /// One batch's forecast ([init][member][point]) and truth ([init][point]) values, uninitialised until read.
    final class Buffer: @unchecked Sendable {
        /// Forecast values.
        let forecast: UnsafeMutableBufferPointer<Double>
        /// Truth values.
        let truth: UnsafeMutableBufferPointer<Double>

        init(forecast f: Int, truth t: Int) {
            forecast = .allocate(capacity: max(f, 1))
            truth = .allocate(capacity: max(t, 1))
        }

        deinit { forecast.deallocate(); truth.deallocate() }
    }

    private let lock = NSLock()
    private var free: [Buffer] = []

    /// A buffer holding at least `forecast` and `truth` values: a returned one when one is large enough (smaller
    /// returned ones are dropped), else a new one.
    func take(forecast f: Int, truth t: Int) -> Buffer {
        lock.lock(); defer { lock.unlock() }
        free.removeAll { $0.forecast.count < f || $0.truth.count < t }
        return free.popLast() ?? Buffer(forecast: f, truth: t)
    }

    /// Hands a buffer back for reuse; at most two are kept (one being read while one is scored).
    func give(_ b: Buffer) {
        lock.lock(); defer { lock.unlock() }
        if free.count < 2 { free.append(b) }
    }
}
