#!/usr/bin/env python3
"""PyTorch peer of `wxens-bench train`: one SEEDS training step on the CPU, the step that
scripts/golden/make_seeds_step_golden.py writes golden values of (and SEEDSStepTorchGoldenTests checks wxens against).

seeds_train_torch.py --step STEP.json --weights W.safetensors --threads T --steps S --warmup K [--clock wall|cpu]

STEP.json (written by the bench): {"unet": UNetConfig, "sigma_data", "training_noise": {log_mean, log_std},
"training": {learning_rate, weight_decay, gradient_clip, ema_decay, beta1, beta2, eps}, "latitudes", "longitudes",
"batch"}. The U-Net (scripts/golden/unet_torch.py) loads W with load_state_dict(strict=True). One fixed random batch
(target y, noise eps, condition, normal draws z, leads); each step: zero_grad, x = y + sigma eps at sigma =
exp(P_mean + P_std z), D and the area-weighted EDM loss (scripts/golden/seeds_torch.py), backward,
clip_grad_norm_, torch.optim.AdamW (PyTorch's default implementation for CPU tensors), the EMA of
torch.optim.swa_utils. Prints one JSON object: {"threads", "seconds": [per step], "forward" (+ loss), "backward",
"optimizer" (clip + AdamW + EMA), "vmhwm_kb", "baseline_kb" (VmRSS after importing torch), "parameters", "torch"}.
"""
import argparse
import json
import os
import sys
import time


def status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--step", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    from torch_threads import torch_with_threads
    torch = torch_with_threads(args.threads)
    from safetensors.torch import load_file

    sys.path.insert(0, os.path.join(here, "..", "golden"))
    import seeds_torch
    from unet_torch import UNet

    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    baseline = status_kb("VmRSS")

    with open(args.step) as f:
        step = json.load(f)
    config, t = step["unet"], step["training"]
    model = UNet(config)
    model.load_state_dict(load_file(args.weights), strict=True)
    model.train()
    n, v, h, w = step["batch"], config["output_channels"], len(step["latitudes"]), step["longitudes"]
    g = torch.Generator().manual_seed(7)
    y = torch.randn(n, v, h, w, generator=g)
    eps = torch.randn(n, v, h, w, generator=g)
    cond = torch.randn(n, config["condition_channels"], h, w, generator=g)
    z = torch.randn(n, generator=g)
    lead = torch.tensor([[0.2, 0.6, 1.0][i % 3] for i in range(n)], dtype=torch.float64)
    sd = step["sigma_data"]

    opt = torch.optim.AdamW(model.parameters(), lr=t["learning_rate"], betas=(t["beta1"], t["beta2"]), eps=t["eps"],
                            weight_decay=t["weight_decay"])
    ema = torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(t["ema_decay"]))

    def one_step():
        t0 = clock()
        opt.zero_grad(set_to_none=True)
        sigma = seeds_torch.training_sigma(z, step["training_noise"])
        x = y + sigma.float()[:, None, None, None] * eps
        d = seeds_torch.denoise(model, x, sigma, cond, lead, sd)
        loss = seeds_torch.denoising_loss(d, y, sigma, step["latitudes"], sd)
        t1 = clock()
        loss.backward()
        t2 = clock()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=t["gradient_clip"])
        opt.step()
        ema.update_parameters(model)
        t3 = clock()
        return t3 - t0, t1 - t0, t2 - t1, t3 - t2

    times, fwd, bwd, opt_t = [], [], [], []
    for i in range(args.warmup + args.steps):
        total, a, b, c = one_step()
        if i >= args.warmup:
            times.append(total)
            fwd.append(a)
            bwd.append(b)
            opt_t.append(c)
    print(json.dumps({"threads": args.threads, "seconds": times, "forward": fwd, "backward": bwd, "optimizer": opt_t,
                      "vmhwm_kb": status_kb("VmHWM"), "baseline_kb": baseline,
                      "parameters": sum(p.numel() for p in model.parameters()), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
