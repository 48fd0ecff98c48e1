/// The wxens version written into outputs and shown by `wxens --version`.
public let wxensVersion = "0.1.0"
