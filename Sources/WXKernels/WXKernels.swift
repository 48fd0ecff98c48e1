import WXCore
