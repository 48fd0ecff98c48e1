"""Stores a model directory's weights (model.safetensors) as float16, halving an embedded checkpoint; wxens reads
F16 into float32. Usage: compact_checkpoint.py data/models/seeds-gee"""
import sys
from safetensors.numpy import load_file, save_file

path = sys.argv[1] + "/model.safetensors"
tensors = load_file(path)
save_file({k: v.astype("float16") for k, v in tensors.items()}, path, metadata={"format": "pt"})
print(path, "now float16")
