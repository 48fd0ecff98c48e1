"""Golden values for wxens's U-Net from its PyTorch mirror (scripts/golden/unet_torch.py), as llm.c checks its model
against tensors saved by PyTorch.

A small U-Net with every kind of block (2 levels, a 1x1 skip where widths change, attention at the coarsest level
and in the middle, 2 heads, conditioning channels, 2 embedded scalars, globe padding) on an 8 x 16 grid, batch 2,
float32, every parameter redrawn from a fixed torch seed (norm weights around 1, the rest uniform; zero_init off,
so no gradient is zero by construction). Forward, loss = sum(output * loss_weight) for a fixed random loss_weight,
backward. Writes
  Tests/WXNNTests/Golden/unet_torch.json          the UNetConfig
  Tests/WXNNTests/Golden/unet_torch.safetensors   param.<name> (state_dict), input, condition, scalars,
                                                  loss_weight, output, grad.input, grad.condition, grad.<name>
Run: .venv-peers/bin/python scripts/golden/make_nn_golden.py
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_torch import UNet  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "WXNNTests", "Golden")

CONFIG = {
    "architecture": "unet",
    "input_channels": 3,
    "condition_channels": 2,
    "output_channels": 3,
    "channels": [8, 16],
    "res_blocks": 1,
    "attention_levels": [1],
    "mid_attention": True,
    "attention_heads": 2,
    "groups": 4,
    "embedding_width": 16,
    "scalars": [
        {"name": "noise", "features": 8, "min_period": 0.1, "max_period": 100.0},
        {"name": "lead_time", "features": 4, "min_period": 6.0, "max_period": 240.0},
    ],
    "padding": "globe",
    "zero_init": False,
}
N, H, W = 2, 8, 16


def randomize(model, gen):
    """Every parameter uniform: norm weights in [0.7, 1.3), the rest in [-0.4, 0.4) (so every path carries signal)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            u = torch.rand(p.shape, generator=gen, dtype=torch.float64) * 2 - 1
            is_norm_weight = name.endswith("weight") and (".norm" in "." + name or name.startswith("norm"))
            p.copy_(1 + 0.3 * u if is_norm_weight else 0.4 * u)


def run(model, x, cond, s, r):
    xs = x.clone().requires_grad_(True)
    cs = cond.clone().requires_grad_(True)
    model.zero_grad(set_to_none=True)
    y = model(xs, cs, s)
    (y * r).sum().backward()
    return y.detach(), xs.grad, cs.grad, {n: p.grad for n, p in model.named_parameters()}


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(20261127)
    model = UNet(CONFIG)
    randomize(model, gen)
    x = torch.randn(N, CONFIG["input_channels"], H, W, generator=gen)
    cond = torch.randn(N, CONFIG["condition_channels"], H, W, generator=gen)
    s = torch.tensor([[0.35, 24.0], [-1.7, 120.0]])
    y0 = model(x, cond, s)
    r = torch.randn(y0.shape, generator=gen)

    y, gx, gc, gp = run(model, x, cond, s, r)

    # The same in float64 from the same float32 values: how far float32 rounding alone moves PyTorch's answer.
    m64 = UNet(CONFIG).double()
    m64.load_state_dict({k: v.double() for k, v in model.state_dict().items()}, strict=True)
    y64, gx64, gc64, gp64 = run(m64, x.double(), cond.double(), s.double(), r.double())

    def rel(a, b):
        return float((a.double() - b).abs().max() / b.abs().max().clamp_min(1e-30))

    worst = max([rel(y, y64), rel(gx, gx64), rel(gc, gc64)] + [rel(gp[n], gp64[n]) for n in gp])
    print(f"float32 vs float64 PyTorch: output {rel(y, y64):.2e}, grad.input {rel(gx, gx64):.2e}, worst of all {worst:.2e}")

    tensors = {f"param.{k}": v for k, v in model.state_dict().items()}
    tensors.update({"input": x, "condition": cond, "scalars": s, "loss_weight": r, "output": y,
                    "grad.input": gx, "grad.condition": gc})
    tensors.update({f"grad.{k}": v for k, v in gp.items()})
    assert set(gp) == set(model.state_dict()), "every state_dict entry is a trainable parameter"
    os.makedirs(OUT, exist_ok=True)
    save_file({k: v.detach().float().contiguous() for k, v in tensors.items()},
              os.path.join(OUT, "unet_torch.safetensors"),
              metadata={"made_by": "scripts/golden/make_nn_golden.py", "torch": torch.__version__,
                        "loss": "sum(output * loss_weight)"})
    with open(os.path.join(OUT, "unet_torch.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
        f.write("\n")
    params = sum(p.numel() for p in model.parameters())
    print(f"wrote {OUT}/unet_torch.{{json,safetensors}}: {len(gp)} parameter tensors, {params} scalars")


if __name__ == "__main__":
    main()
