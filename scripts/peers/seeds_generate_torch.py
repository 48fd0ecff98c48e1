#!/usr/bin/env python3
"""SEEDS generation from a wxens checkpoint in PyTorch: the peer of `wxens-bench generate`.

seeds_generate_torch.py --checkpoint DIR --inputs IN.safetensors --lead-index L --batch B --check OUT.safetensors
seeds_generate_torch.py --checkpoint DIR --inputs IN.safetensors --lead-index L --batch B --threads T --steps S
                        --warmup K [--clock wall|cpu]

DIR is a wxens SEEDS checkpoint (config.json; ema.safetensors when present, else model.safetensors -- as
SEEDSGenerator reads it; statistics.safetensors). The denoiser is scripts/golden/unet_torch.py loaded with
load_state_dict(strict=True); preconditioning, sampler (the checkpoint's default: method, steps, schedule, churn)
and conditioning are scripts/golden/seeds_torch.py, the formulas of Sources/WXGenerative/Diffusion. One call, as
SEEDSGenerator.makeCase + generate: the condition and seed mean from the K seeds, B members sampled in one batch
from standard normal noise, then mapped back to physical units.
IN.safetensors holds `seeds` [K, V, H, W] (physical units) and, for --check, `noise` [B, V, H, W] (the initial
standard normal draws); --check writes `members` [B, V, H, W] to OUT, prints {"check": OUT, ...} and exits. Otherwise calls are timed under
torch.inference_mode() at T threads (noise from torch.randn each call), S calls after K untimed ones, and one JSON
object is printed: {"batch", "threads", "seconds": [per call], "evaluations", "parameters", "torch"}.
"""
import argparse
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--lead-index", type=int, default=0)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--check", metavar="OUT", help="write the members for the inputs' noise to OUT and exit")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    from torch_threads import torch_with_threads
    torch = torch_with_threads(args.threads)
    from safetensors.torch import load_file, save_file

    sys.path.insert(0, os.path.join(here, "..", "golden"))
    import seeds_torch
    from unet_torch import UNet

    ckpt = args.checkpoint
    with open(os.path.join(ckpt, "config.json")) as f:
        config = json.load(f)
    assert config.get("architecture") == "seeds-edm", f"{ckpt}: not a SEEDS checkpoint"
    ema = os.path.join(ckpt, "ema.safetensors")
    # Embedded checkpoints store float16 weights (scripts/compact_checkpoint.py); wxens reads every tensor as float32.
    weights = {k: t.float() for k, t in load_file(ema if os.path.exists(ema) else os.path.join(ckpt, "model.safetensors")).items()}
    net = UNet(config["unet"])
    net.load_state_dict(weights, strict=True)
    net.eval()
    conditioning = seeds_torch.Conditioning(load_file(os.path.join(ckpt, "statistics.safetensors")))
    sampler = config["sampler"]
    sigma_data = config["sigma_data"]
    lead = args.lead_index
    b = args.batch
    lead_scalar = torch.full((b,), config["lead_times_hours"][lead] / 120, dtype=torch.float64)

    inputs = load_file(args.inputs)
    seeds = inputs["seeds"].float()
    assert seeds.shape[0] == config["seed_members"], f"{args.inputs}: {seeds.shape[0]} seeds, the model takes {config['seed_members']}"
    shape = (b, len(config["variables"]), config["latitudes"], config["longitudes"])

    def generate(noise):
        cond, seed_mean = conditioning.condition(seeds, lead)
        cond_b = cond.unsqueeze(0).expand(b, -1, -1, -1)

        def denoiser(x, sigma):
            return seeds_torch.denoise(net, x, torch.full((b,), sigma, dtype=torch.float64), cond_b, lead_scalar, sigma_data)

        r = seeds_torch.sample(denoiser, noise, sampler, churn_noise=lambda s: torch.randn(s))
        return conditioning.members(r, seed_mean, lead)

    if args.check:
        noise = inputs["noise"].float()
        assert tuple(noise.shape) == shape, f"noise {tuple(noise.shape)}, expected {shape}"
        with torch.inference_mode():
            members = generate(noise)
        save_file({"members": members.contiguous()}, args.check)
        print(json.dumps({"check": args.check, "batch": b, "torch": torch.__version__}))
        return

    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    times = []
    for i in range(args.warmup + args.steps):
        t0 = clock()
        with torch.inference_mode():
            generate(torch.randn(shape))
        t1 = clock()
        if i >= args.warmup:
            times.append(t1 - t0)
    evaluations = 2 * sampler["steps"] - 1 if sampler["method"] == "heun" else sampler["steps"]
    print(json.dumps({"batch": b, "threads": args.threads, "seconds": times, "evaluations": evaluations,
                      "parameters": sum(p.numel() for p in net.parameters()), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
