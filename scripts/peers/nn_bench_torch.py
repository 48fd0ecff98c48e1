#!/usr/bin/env python3
"""PyTorch peer of `wxens-bench nn`: wxens's U-Net (scripts/golden/unet_torch.py) trained or run on the CPU.

nn_bench_torch.py --config CONFIG.json --weights W.safetensors --mode train|infer --threads T
                  --batch N --height H --width W --steps S --warmup K [--clock wall|cpu]
Loads the weights wxens wrote with load_state_dict(strict=True), then times S steps after K untimed ones:
  train: zero_grad, forward, mse_loss against a fixed random target, backward, AdamW step (torch.optim.AdamW,
         lr 1e-4, PyTorch's default implementation for CPU tensors);
  infer: forward under torch.inference_mode().
Prints one JSON object: {"mode", "threads", "seconds": [per step], "forward": [...], "backward": [...],
"optimizer": [...] (train only), "vmhwm_kb": peak RSS of this process (VmHWM), "baseline_kb": VmRSS after
importing torch and before building the model, "parameters", "torch"}.
One process per (mode, thread count), so that its VmHWM is that mode's peak alone.
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
    ap.add_argument("--config", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--mode", choices=["train", "infer"], required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--height", type=int, default=48)
    ap.add_argument("--width", type=int, default=96)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_threads import torch_with_threads
    torch = torch_with_threads(args.threads)
    import torch.nn.functional as F
    from safetensors.torch import load_file

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
    from unet_torch import UNet

    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    baseline = status_kb("VmRSS")

    with open(args.config) as f:
        config = json.load(f)
    model = UNet(config)
    model.load_state_dict(load_file(args.weights), strict=True)
    g = torch.Generator().manual_seed(0)
    n, h, w = args.batch, args.height, args.width
    x = torch.randn(n, config["input_channels"], h, w, generator=g)
    cond = torch.randn(n, config.get("condition_channels", 0), h, w, generator=g) if config.get("condition_channels", 0) else None
    s = torch.rand(n, len(config.get("scalars", [])), generator=g) if config.get("scalars") else None
    target = torch.randn(n, config["output_channels"], h, w, generator=g)

    times, fwd, bwd, opt_t = [], [], [], []
    if args.mode == "train":
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)

        def step():
            t0 = clock()
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(x, cond, s), target)
            t1 = clock()
            loss.backward()
            t2 = clock()
            opt.step()
            t3 = clock()
            return t3 - t0, t1 - t0, t2 - t1, t3 - t2
    else:
        model.eval()

        def step():
            t0 = clock()
            with torch.inference_mode():
                model(x, cond, s)
            t1 = clock()
            return t1 - t0, t1 - t0, 0.0, 0.0

    for _ in range(args.warmup):
        step()
    for _ in range(args.steps):
        total, a, b, c = step()
        times.append(total)
        fwd.append(a)
        bwd.append(b)
        opt_t.append(c)
    out = {"mode": args.mode, "threads": args.threads, "seconds": times, "forward": fwd, "vmhwm_kb": status_kb("VmHWM"),
           "baseline_kb": baseline, "parameters": sum(p.numel() for p in model.parameters()), "torch": torch.__version__}
    if args.mode == "train":
        out["backward"] = bwd
        out["optimizer"] = opt_t
    print(json.dumps(out))


if __name__ == "__main__":
    main()
