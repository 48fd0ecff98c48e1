"""Golden values for two SEEDS training steps from PyTorch: the EDM-preconditioned denoiser around wxens's U-Net
(scripts/golden/unet_torch.py), EDM's noise-level sampling and loss weighting, the area-weighted denoising loss,
backward, global-norm clipping, AdamW with the warm-up/cosine schedule and the weights' moving average -- the step
`Trainer` runs with `SEEDSTrainingTask` (Sources/WXGenerative/Diffusion, Sources/WXNN/Trainer.swift).

The same formulas as the Swift side (scripts/golden/seeds_torch.py), from Karras et al. 2022 (Table 1), in float64 for the per-example
constants and float32 for the tensors:
  sigma = exp(P_mean + P_std z)                         (z: a standard normal draw per example, stored as float32)
  x = y + sigma eps                                     (y the target residual, eps standard normal, float32)
  D = c_skip x + c_out F(c_in x; [c_noise, lead] | condition)
  c_skip = sd^2 / (sigma^2 + sd^2), c_out = sigma sd / sqrt(sigma^2 + sd^2), c_in = 1 / sqrt(sigma^2 + sd^2),
  c_noise = ln(sigma) / 4
  L = (1/N) sum_n lambda_n sum_{v,i,j} w_i (D - y)^2 / (V W sum_i w_i),  lambda = (sigma^2 + sd^2) / (sigma sd)^2,
  w_i = cos(latitude_i)                                 (summed in float64)
then torch.nn.utils.clip_grad_norm_, torch.optim.AdamW (foreach=False) at the schedule's rate, and
torch.optim.swa_utils' EMA (get_ema_multi_avg_fn). A tiny denoiser (3 variables, the SEEDS condition of 2 x 3 + 4
channels, 2 levels with attention, both SEEDS scalars) on an 8 x 16 grid, batch 3, every weight random (zero_init
off, so every gradient carries signal), sigma_data 0.75 (not 1, so that sd and 1 cannot be swapped unseen) and weight
decay 0.01 (the embedded configs use 0; here it is exercised). Writes
  Tests/WXGenerativeTests/Golden/seeds_step.json          UNetConfig under "unet", EDM and training constants
  Tests/WXGenerativeTests/Golden/seeds_step.safetensors   param.<name> (initial weights); per step s = 1, 2:
      z<s>, eps<s>, target<s>, condition<s>, lead<s> (the batch), sigma<s> (F64), loss<s> (F64), denoised<s>,
      norm<s> (F64, before clipping), grad<s>.<name> (before clipping), after<s>.<name> (weights after the step);
      ema.<name> (the moving average after step 2)
Run: .venv-peers/bin/python scripts/golden/make_seeds_step_golden.py
"""
import json
import math
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seeds_torch  # noqa: E402
from unet_torch import UNet  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "WXGenerativeTests", "Golden")

V, N, H, W = 3, 3, 8, 16
UNET = {
    "architecture": "unet",
    "input_channels": V,
    "condition_channels": 2 * V + 4,
    "output_channels": V,
    "channels": [8, 12],
    "res_blocks": 1,
    "attention_levels": [1],
    "mid_attention": True,
    "attention_heads": 2,
    "groups": 4,
    "embedding_width": 16,
    "scalars": [
        {"name": "noise", "features": 8, "min_period": 0.05, "max_period": 20.0},
        {"name": "lead", "features": 4, "min_period": 0.5, "max_period": 8.0},
    ],
    "padding": "globe",
    "zero_init": False,
}
SIGMA_DATA = 0.75
NOISE = {"log_mean": -1.2, "log_std": 1.2}
TRAINING = {"learning_rate": 1e-3, "minimum_learning_rate": 1e-4, "warmup_steps": 2, "steps": 4,
            "weight_decay": 0.01, "gradient_clip": 1.0, "ema_decay": 0.995, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
LATITUDES = [90 - (i + 0.5) * 180 / H for i in range(H)]


def lr_at(step):
    """LearningRateSchedule.rate(at:) (1-based): linear warm-up, then cosine to the minimum."""
    t = TRAINING
    if step <= t["warmup_steps"]:
        return t["learning_rate"] * step / t["warmup_steps"]
    q = min(1.0, (step - t["warmup_steps"]) / (t["steps"] - t["warmup_steps"]))
    return t["minimum_learning_rate"] + (t["learning_rate"] - t["minimum_learning_rate"]) * (1 + math.cos(math.pi * q)) / 2


def randomize(model, gen):
    """Every parameter uniform: norm weights in [0.7, 1.3), the rest in [-0.4, 0.4) (as make_nn_golden.py)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            u = torch.rand(p.shape, generator=gen, dtype=torch.float64) * 2 - 1
            is_norm_weight = name.endswith("weight") and (".norm" in "." + name or name.startswith("norm"))
            p.copy_(1 + 0.3 * u if is_norm_weight else 0.4 * u)


def loss_of(model, batch, dtype=torch.float32):
    """The EDM loss of `batch`, D and the noise levels (seeds_torch.py: constants in float64, tensors in `dtype`)."""
    sigma = seeds_torch.training_sigma(batch["z"], NOISE)
    y = batch["target"].to(dtype)
    x = y + sigma.to(dtype)[:, None, None, None] * batch["eps"].to(dtype)
    d = seeds_torch.denoise(model, x, sigma, batch["condition"].to(dtype), batch["lead"].double(), SIGMA_DATA)
    return seeds_torch.denoising_loss(d, y, sigma, LATITUDES, SIGMA_DATA), d, sigma


def make_batch(gen, z):
    return {"z": z.float(), "eps": torch.randn(N, V, H, W, generator=gen), "target": torch.randn(N, V, H, W, generator=gen),
            "condition": torch.randn(N, 2 * V + 4, H, W, generator=gen),
            "lead": torch.tensor([24.0, 72.0, 120.0]) / 120}


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(20261203)
    model = UNet(UNET)
    randomize(model, gen)
    tensors = {f"param.{k}": v.detach().clone() for k, v in model.state_dict().items()}
    # Step 1 spans the noise levels (sigma ~ 0.04, 0.34, 2.9); step 2 draws them.
    batches = [make_batch(gen, torch.tensor([-1.6, 0.1, 1.9])), None]
    batches[1] = make_batch(gen, torch.randn(N, generator=gen))

    t = TRAINING
    opt = torch.optim.AdamW(model.parameters(), lr=lr_at(1), betas=(t["beta1"], t["beta2"]), eps=t["eps"],
                            weight_decay=t["weight_decay"], foreach=False)
    ema = torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(t["ema_decay"]))

    for s, batch in enumerate(batches, start=1):
        for k, v in batch.items():
            tensors[f"{k}{s}"] = v.clone()
        opt.zero_grad(set_to_none=True)
        loss, d, sigma = loss_of(model, batch)
        loss.backward()
        grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=t["gradient_clip"])
        for group in opt.param_groups:
            group["lr"] = lr_at(s)
        opt.step()
        ema.update_parameters(model)

        # The same loss in float64 from the same float32 weights: how far float32 alone moves PyTorch's gradients.
        m64 = UNet(UNET).double()
        m64.load_state_dict({k: v.double() for k, v in tensors_at(tensors, s).items()}, strict=True)
        loss64, _, _ = loss_of(m64, batch, dtype=torch.float64)
        loss64.backward()
        worst = max(float((grads[n].double() - p.grad).abs().max() / p.grad.abs().max().clamp_min(1e-30))
                    for n, p in m64.named_parameters() if not n.endswith(".k.bias"))
        print(f"step {s}: sigma {[f'{x:.4f}' for x in sigma.tolist()]}, loss {float(loss.detach()):.6f} "
              f"(float64 {float(loss64.detach()):.6f}), gradient norm {float(norm):.4f} (clip {t['gradient_clip']}), "
              f"lr {lr_at(s):.2e}; float32 vs float64 gradients: worst {worst:.2e} of a tensor's largest")

        tensors[f"sigma{s}"] = sigma.clone()
        tensors[f"loss{s}"] = loss.detach().reshape(1).clone()
        tensors[f"norm{s}"] = torch.tensor([float(norm)], dtype=torch.float64)
        tensors[f"denoised{s}"] = d.detach().clone()
        tensors.update({f"grad{s}.{n}": g for n, g in grads.items()})
        tensors.update({f"after{s}.{n}": p.detach().clone() for n, p in model.state_dict().items()})
    tensors.update({f"ema.{n}": p.detach().clone() for n, p in ema.module.state_dict().items()})
    assert set(dict(model.named_parameters())) == set(model.state_dict()), "every state_dict entry is trainable"

    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "seeds_step.safetensors")
    save_file({k: v.detach().contiguous() for k, v in tensors.items()}, path,
              metadata={"made_by": "scripts/golden/make_seeds_step_golden.py", "torch": torch.__version__})
    with open(os.path.join(OUT, "seeds_step.json"), "w") as f:
        json.dump({"unet": UNET, "sigma_data": SIGMA_DATA, "training_noise": NOISE, "training": TRAINING,
                   "latitudes": LATITUDES, "batch": N}, f, indent=2)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes): {sum(p.numel() for p in model.parameters())} parameters")


def tensors_at(tensors, s):
    """The weights step s started from: the initial ones, or those after step s - 1."""
    prefix = "param." if s == 1 else f"after{s - 1}."
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}


if __name__ == "__main__":
    main()
