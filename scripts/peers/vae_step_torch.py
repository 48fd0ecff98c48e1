#!/usr/bin/env python3
"""One forecast step of a wxens VAE checkpoint in PyTorch: the peer of `wxens-bench forecast` and of VAEStepTorchTests.

vae_step_torch.py --checkpoint DIR --inputs IN.safetensors --check OUT.safetensors
vae_step_torch.py --checkpoint DIR --inputs IN.safetensors --threads T --steps S --warmup K [--clock wall|cpu]

DIR is a wxens VAE checkpoint (config.json, model.safetensors or ema.safetensors -- the moving average when present,
as VAEForecaster reads it -- and statistics.safetensors with state_mean, state_std, increment_std). The prior and the
decoder are scripts/golden/unet_torch.py U-Nets loaded with load_state_dict(strict=True) from the `prior.` and
`decoder.` tensors. One step for B members, as Sources/WXGenerative/VAE/VAEForecaster.swift:
  a = [(x_t - mean) / std, (x_t - x_{t-1}) / increment_std, sin lat, cos lat]      [B, 2V + 2, H, W]
  raw = prior(a); mean = raw[:, :Z]; lv = limit * tanh(raw[:, Z:] / limit); z = mean + exp(lv / 2) * eps
  x_{t+1} = x_t + increment_std * decoder(a, condition z)
IN.safetensors holds `current` and `previous` [B, V, H, W] (physical units) and, for --check, `eps` [B, Z, H, W].
--check writes `next` [B, V, H, W] and `increment` (the decoder's output) to OUT.safetensors. Otherwise the step is
timed under torch.inference_mode() at T threads (eps drawn by torch.randn each step), S steps after K untimed ones,
and one JSON object is printed: {"batch", "threads", "seconds": [per step], "parameters", "torch"}.
"""
import argparse
import json
import math
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--check", metavar="OUT", help="write the step's output for the inputs' eps to OUT and exit")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_threads import torch_with_threads
    torch = torch_with_threads(args.threads)
    from safetensors.torch import load_file, save_file

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
    from unet_torch import UNet


    ckpt = args.checkpoint
    with open(os.path.join(ckpt, "config.json")) as f:
        config = json.load(f)
    assert config.get("architecture") == "fuxi-vae", f"{ckpt}: not a VAE checkpoint"
    ema = os.path.join(ckpt, "ema.safetensors")
    # Embedded checkpoints store float16 weights (scripts/compact_checkpoint.py); wxens reads every tensor as float32.
    weights = {k: t.float() for k, t in load_file(ema if os.path.exists(ema) else os.path.join(ckpt, "model.safetensors")).items()}
    stats = {k: t.float() for k, t in load_file(os.path.join(ckpt, "statistics.safetensors")).items()}

    def network(name):
        net = UNet(config[name])
        prefix = name + "."
        net.load_state_dict({k[len(prefix):]: t for k, t in weights.items() if k.startswith(prefix)}, strict=True)
        return net.eval()

    prior, decoder = network("prior"), network("decoder")
    z_channels = config["latent_channels"]
    limit = float(config["log_variance_limit"])
    v = len(config["variables"])
    mean = stats["state_mean"].view(1, v, 1, 1)
    std = stats["state_std"].view(1, v, 1, 1)
    inc_std = stats["increment_std"].view(1, v, 1, 1)
    lat = torch.tensor(config["latitudes"], dtype=torch.float64) * (math.pi / 180)
    w = len(config["longitudes"])
    # sin and cos of latitude in float64 rounded to float32, as VAEStatistics.inputs.
    static = torch.stack([torch.sin(lat), torch.cos(lat)]).float()[:, :, None].expand(2, len(lat), w)

    inputs = load_file(args.inputs)
    current, previous = inputs["current"].float(), inputs["previous"].float()
    b = current.shape[0]
    static_b = static.unsqueeze(0).expand(b, -1, -1, -1)

    def step(eps):
        a = torch.cat([(current - mean) / std, (current - previous) / inc_std, static_b], dim=1)
        raw = prior(a)
        lv = limit * torch.tanh(raw[:, z_channels:] / limit)
        z = raw[:, :z_channels] + torch.exp(0.5 * lv) * eps
        d = decoder(a, z)
        return current + inc_std * d, d

    if args.check:
        with torch.inference_mode():
            nxt, d = step(inputs["eps"].float())
        save_file({"next": nxt.contiguous(), "increment": d.contiguous()}, args.check)
        return

    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    g = torch.Generator().manual_seed(0)
    shape = (b, z_channels) + tuple(current.shape[2:])
    times = []
    with torch.inference_mode():
        for i in range(args.warmup + args.steps):
            t0 = clock()
            step(torch.randn(shape, generator=g))
            t1 = clock()
            if i >= args.warmup:
                times.append(t1 - t0)
    print(json.dumps({"batch": b, "threads": args.threads, "seconds": times, "torch": torch.__version__,
                      "parameters": sum(p.numel() for n in (prior, decoder) for p in n.parameters())}))


if __name__ == "__main__":
    main()
