#!/usr/bin/env python3
"""Writes PyTorch goldens for the non-convolution kernels (forward outputs and autograd gradients).

Run: .venv-peers/bin/python scripts/golden/make_ops_golden.py
Output: Tests/WXKernelsTests/Golden/ops_<case>_<array>.npy (float32, C order). Inputs, parameters and
the upstream gradient `go` are fixed by the seed; each case's gradients are d(sum(out * go))/d(input).
Inputs are float32 values; torch evaluates the ops in float64 on them, so the goldens carry no float32
rounding of their own (which matters where gradients cancel, e.g. GroupNorm over 2-element groups).
"""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "WXKernelsTests", "Golden")
torch.manual_seed(20261126)
torch.set_default_dtype(torch.float64)


def save(case, name, t):
    a = t.detach().cpu().numpy().astype(np.float32)
    if a.ndim == 0:
        a = a.reshape(1)
    np.save(os.path.join(OUT, f"ops_{case}_{name}.npy"), np.ascontiguousarray(a))


def f32(t):
    """The tensor rounded to float32 values, held in float64."""
    return t.float().double()


def leaf(*shape, scale=1.0):
    return f32((torch.rand(*shape) * 2 - 1).mul(scale)).requires_grad_(True)


def backward(case, out, inputs):
    go = f32(torch.rand(out.shape) * 2 - 1)
    grads = torch.autograd.grad(out, [t for _, t in inputs], grad_outputs=go)
    save(case, "go", go)
    for (name, _), g in zip(inputs, grads):
        save(case, "g" + name, g)


def matmul_cases():
    m, n, k = 7, 9, 13
    for ta in (False, True):
        for tb in (False, True):
            case = "matmul_" + ("t" if ta else "n") + ("t" if tb else "n")
            a = leaf(*((k, m) if ta else (m, k)))
            b = leaf(*((n, k) if tb else (k, n)))
            c = (a.t() if ta else a) @ (b.t() if tb else b)
            save(case, "a", a); save(case, "b", b); save(case, "y", c)
            backward(case, c, [("a", a), ("b", b)])
    a, b = leaf(3, 5, 6), leaf(3, 6, 4)
    c = torch.bmm(a, b)
    save("bmm", "a", a); save("bmm", "b", b); save("bmm", "y", c)
    backward("bmm", c, [("a", a), ("b", b)])


def linear_cases():
    x, w, b = leaf(5, 7), leaf(3, 7), leaf(3)
    y = F.linear(x, w, b)
    for name, t in [("x", x), ("w", w), ("b", b), ("y", y)]:
        save("linear", name, t)
    backward("linear", y, [("x", x), ("w", w), ("b", b)])
    x, w, b = leaf(2, 5, 3, 4), leaf(6, 5, 1, 1), leaf(6)
    y = F.conv2d(x, w, b)
    for name, t in [("x", x), ("w", w), ("b", b), ("y", y)]:
        save("conv1x1", name, t)
    backward("conv1x1", y, [("x", x), ("w", w), ("b", b)])


def group_norm_cases():
    for case, shape, groups in [("group_norm", (2, 6, 5, 3), 3), ("group_norm_pixel", (3, 4, 1, 1), 2),
                                ("group_norm_single", (2, 1, 4, 3), 1)]:
        x = leaf(*shape, scale=2.0)
        with torch.no_grad():
            x += 0.5  # exactly representable, so x stays float32-valued
        gamma = leaf(shape[1]); beta = leaf(shape[1])
        y = F.group_norm(x, groups, gamma, beta, eps=1e-5)
        for name, t in [("x", x), ("gamma", gamma), ("beta", beta), ("y", y)]:
            save(case, name, t)
        backward(case, y, [("x", x), ("gamma", gamma), ("beta", beta)])


def activation_cases():
    for case, fn in [("silu", F.silu), ("gelu_none", lambda t: F.gelu(t)),
                     ("gelu_tanh", lambda t: F.gelu(t, approximate="tanh"))]:
        x = leaf(2, 3, 4, 5, scale=6.0)
        y = fn(x)
        save(case, "x", x); save(case, "y", y)
        backward(case, y, [("x", x)])


def attention_case():
    n, c, h, w, heads = 2, 8, 3, 5, 2
    d = c // heads
    x = leaf(n, c, h, w)
    p = {name: leaf(c, c, scale=1 / math.sqrt(c)) if name.endswith("w") else leaf(c, scale=0.1)
         for name in ["qw", "qb", "kw", "kb", "vw", "vb", "ow", "ob"]}
    tokens = x.flatten(2).transpose(1, 2)                      # [N, L, C]
    def heads_of(t):                                           # [N, L, C] -> [N, heads, L, d]
        return t.reshape(n, h * w, heads, d).transpose(1, 2)
    q = heads_of(F.linear(tokens, p["qw"], p["qb"]))
    k = heads_of(F.linear(tokens, p["kw"], p["kb"]))
    v = heads_of(F.linear(tokens, p["vw"], p["vb"]))
    att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
    o = (att @ v).transpose(1, 2).reshape(n, h * w, c)
    out = F.linear(o, p["ow"], p["ob"])
    y = x + out.transpose(1, 2).reshape(n, c, h, w)
    save("attention", "x", x); save("attention", "y", y)
    for name, t in p.items():
        save("attention", name, t)
    backward("attention", y, [("x", x)] + list(p.items()))


def film_case():
    x, scale, shift = leaf(2, 4, 3, 3), leaf(2, 4, scale=0.5), leaf(2, 4)
    y = x * (1 + scale[:, :, None, None]) + shift[:, :, None, None]
    for name, t in [("x", x), ("scale", scale), ("shift", shift), ("y", y)]:
        save("film", name, t)
    backward("film", y, [("x", x), ("scale", scale), ("shift", shift)])


def resample_cases():
    x = leaf(2, 3, 3, 5)
    y = F.interpolate(x, scale_factor=2, mode="nearest")
    save("upsample", "x", x); save("upsample", "y", y)
    backward("upsample", y, [("x", x)])
    x = leaf(2, 3, 5, 7)
    y = F.avg_pool2d(x, 2)
    save("avg_pool", "x", x); save("avg_pool", "y", y)
    backward("avg_pool", y, [("x", x)])


def elementwise_cases():
    a, b = leaf(2, 3, 4, 4), leaf(1, 3, 1, 1)
    y = a * b
    save("mul_channel", "a", a); save("mul_channel", "b", b); save("mul_channel", "y", y)
    backward("mul_channel", y, [("a", a), ("b", b)])
    a, b = leaf(2, 3, 4, 4), leaf(2, 3, 1, 1)
    y = a + b
    save("add_sample_channel", "a", a); save("add_sample_channel", "b", b); save("add_sample_channel", "y", y)
    backward("add_sample_channel", y, [("a", a), ("b", b)])


def mse_case():
    pred, target = leaf(2, 3, 4, 5), f32(torch.rand(2, 3, 4, 5) * 2 - 1)
    loss = F.mse_loss(pred, target)
    (g,) = torch.autograd.grad(loss, [pred])
    save("mse", "pred", pred); save("mse", "target", target); save("mse", "y", loss); save("mse", "gpred", g)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    matmul_cases()
    group_norm_cases()
    activation_cases()
    attention_case()
    film_case()
    resample_cases()
    elementwise_cases()
    mse_case()
    linear_cases()
    print("torch", torch.__version__, "->", os.path.normpath(OUT))
