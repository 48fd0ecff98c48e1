/// Why a convolution could not run on the tensors it was given.
public enum ConvError: Error, CustomStringConvertible, Equatable {
    /// A tensor does not have the rank the operation needs.
    case badRank(operand: String, expected: Int, shape: [Int])
    /// Two extents that must agree do not.
    case shapeMismatch(operand: String, detail: String)
    /// Stride below 1, or a negative output padding / padding amount.
    case badParameter(String)
    /// The padding cannot be applied to an axis of this length (e.g. reflect needs amount < length).
    case badPadding(axis: String, padding: ConvAxisPadding, length: Int)
    /// The kernel is larger than the padded input, so there is no output pixel.
    case emptyOutput(detail: String)

    /// What was wrong, naming the operand and the expected shape or value.
    public var description: String {
        switch self {
        case let .badRank(operand, expected, shape):
            return "conv2d: \(operand) must have rank \(expected), got shape \(shape)"
        case let .shapeMismatch(operand, detail):
            return "conv2d: \(operand) has the wrong shape: \(detail)"
        case let .badParameter(detail):
            return "conv2d: \(detail)"
        case let .badPadding(axis, padding, length):
            return "conv2d: padding \(padding) cannot be applied to the \(axis) axis of length \(length)"
                + " (reflect needs amount < length, circular amount <= length, replicate length >= 1)"
        case let .emptyOutput(detail):
            return "conv2d: no output pixel: \(detail)"
        }
    }
}
