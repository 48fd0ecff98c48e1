/// Which algorithm a 2-D convolution (forward or backward-data) runs.
public enum ConvAlgorithm: Sendable, Equatable {
    /// Winograd F(4x4, 3x3) for the 3x3 stride-1 convolutions it suits (36 multiplies per 4x4 outputs and channel
    /// pair instead of 144), the direct kernel for the rest.
    case automatic
    /// Winograd F(2x2, 3x3) where it suits (16 multiplies per 2x2 outputs instead of 36; fewer roundings than
    /// F(4x4, 3x3)), the direct kernel for the rest.
    case winograd2x2
    /// The direct tiled kernel always: more work, but each output is the plain sum of its products.
    case direct
}
