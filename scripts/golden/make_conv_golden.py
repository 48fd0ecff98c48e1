#!/usr/bin/env python3
"""PyTorch (CPU) golden values for the wxens conv2d kernels.

Writes Tests/WXKernelsTests/Golden/conv_<case>_<array>.npy (float32, C order) for each case:
x (input), w (weight), b (bias), go (gradient of the output), y (output),
gx, gw, gb (gradients of sum(y * go) with respect to x, w, b), computed in float64 by torch
autograd from the float32 inputs and stored as float32.
A manifest conv_cases.txt lists: case stride padH_mode padH padW_mode padW transposed output_padding.
Run: .venv-peers/bin/python scripts/golden/make_conv_golden.py
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "WXKernelsTests", "Golden")

# name, (N, Cin, H, W), (Cout, k), stride, (mode_h, pad_h), (mode_w, pad_w)
CASES = [
    ("zeros", (2, 3, 5, 7), (4, 3), 1, ("zeros", 1), ("zeros", 1)),
    ("circular", (2, 3, 5, 7), (4, 3), 1, ("circular", 1), ("circular", 1)),
    ("reflect", (2, 3, 5, 7), (4, 3), 1, ("reflect", 1), ("reflect", 1)),
    ("replicate", (2, 3, 5, 7), (4, 3), 1, ("replicate", 1), ("replicate", 1)),
    ("globe", (2, 3, 6, 9), (5, 3), 1, ("reflect", 1), ("circular", 1)),
    ("globe_replicate", (1, 2, 4, 10), (3, 3), 1, ("replicate", 1), ("circular", 1)),
    ("stride2", (2, 3, 7, 9), (4, 3), 2, ("zeros", 1), ("zeros", 1)),
    ("stride2_globe", (1, 3, 8, 12), (4, 3), 2, ("reflect", 1), ("circular", 1)),
    ("k1", (2, 5, 3, 4), (6, 1), 1, ("zeros", 0), ("zeros", 0)),
    ("k5_reflect", (1, 2, 6, 8), (3, 5), 1, ("reflect", 2), ("reflect", 2)),
]

# 3x3 stride-1 cases with at least 32 input and output channels, which wxens runs as Winograd F(2x2, 3x3)
# (drawn after the others, so that adding them left the earlier files unchanged).
WINOGRAD_CASES = [
    ("winograd_zeros", (2, 33, 5, 17), (32, 3), 1, ("zeros", 1), ("zeros", 1)),
    ("winograd_globe", (1, 32, 6, 20), (34, 3), 1, ("reflect", 1), ("circular", 1)),
]

# name, (N, Cin, H, W), Cout, k, stride, padding, output_padding
TRANSPOSED = [
    ("transposed", (2, 4, 4, 5), 3, 3, 2, 1, 1),
    ("transposed_k2", (1, 3, 3, 3), 2, 2, 2, 0, 0),
]


def pad_input(x, mode_h, pad_h, mode_w, pad_w):
    """Pads width then height with torch's F.pad (mode 'constant' for zeros)."""
    m = {"zeros": "constant"}
    if pad_w:
        x = F.pad(x, (pad_w, pad_w, 0, 0), mode=m.get(mode_w, mode_w))
    if pad_h:
        x = F.pad(x, (0, 0, pad_h, pad_h), mode=m.get(mode_h, mode_h))
    return x


def save(case, arrays):
    for k, v in arrays.items():
        np.save(os.path.join(OUT, f"conv_{case}_{k}.npy"), np.ascontiguousarray(v.detach().numpy().astype(np.float32)))


def conv_case(g, name, xs, cout, k, stride, mh, ph, mw, pw):
    """Draws one conv2d case, saves its arrays and returns its manifest line."""
    x32 = torch.rand(xs, generator=g) * 2 - 1
    w32 = torch.rand((cout, xs[1], k, k), generator=g) * 2 - 1
    b32 = torch.rand((cout,), generator=g) * 2 - 1
    x, w, b = (t.double().requires_grad_() for t in (x32, w32, b32))
    if mh == mw and ph == pw:
        # torch's own padding_mode path
        mode = mh
        y = F.conv2d(pad_input(x, mh, ph, mw, pw), w, b, stride=stride) if mode != "zeros" \
            else F.conv2d(x, w, b, stride=stride, padding=ph)
        if mode != "zeros":
            conv = torch.nn.Conv2d(xs[1], cout, k, stride=stride, padding=ph, padding_mode=mode).double()
            with torch.no_grad():
                conv.weight.copy_(w); conv.bias.copy_(b)
            y_mod = conv(x.detach())
            assert torch.allclose(y_mod, y.detach()), name
    else:
        y = F.conv2d(pad_input(x, mh, ph, mw, pw), w, b, stride=stride)
    go32 = torch.rand(y.shape, generator=g) * 2 - 1
    gx, gw, gb = torch.autograd.grad((y * go32.double()).sum(), (x, w, b))
    save(name, dict(x=x32, w=w32, b=b32, go=go32, y=y, gx=gx, gw=gw, gb=gb))
    return f"{name} {stride} {mh} {ph} {mw} {pw} 0 0"


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(2024)
    manifest = []
    for name, xs, (cout, k), stride, (mh, ph), (mw, pw) in CASES:
        manifest.append(conv_case(g, name, xs, cout, k, stride, mh, ph, mw, pw))
    for name, xs, cout, k, stride, pad, opad in TRANSPOSED:
        x32 = torch.rand(xs, generator=g) * 2 - 1
        w32 = torch.rand((xs[1], cout, k, k), generator=g) * 2 - 1
        b32 = torch.rand((cout,), generator=g) * 2 - 1
        x, w, b = (t.double().requires_grad_() for t in (x32, w32, b32))
        y = F.conv_transpose2d(x, w, b, stride=stride, padding=pad, output_padding=opad)
        go32 = torch.rand(y.shape, generator=g) * 2 - 1
        gx, gw, gb = torch.autograd.grad((y * go32.double()).sum(), (x, w, b))
        save(name, dict(x=x32, w=w32, b=b32, go=go32, y=y, gx=gx, gw=gw, gb=gb))
        manifest.append(f"{name} {stride} zeros {pad} zeros {pad} 1 {opad}")
    for name, xs, (cout, k), stride, (mh, ph), (mw, pw) in WINOGRAD_CASES:
        manifest.append(conv_case(g, name, xs, cout, k, stride, mh, ph, mw, pw))
    with open(os.path.join(OUT, "conv_cases.txt"), "w") as f:
        f.write("# case stride padH_mode padH padW_mode padW transposed output_padding (torch " + torch.__version__ + ")\n")
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
