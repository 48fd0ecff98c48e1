import WXCore
import WXKernels
