"""wxens's U-Net (Sources/WXNN) as a PyTorch nn.Module, built from the same config JSON (UNetConfig's snake_case keys).

`UNet(config).state_dict()` has exactly wxens's parameter names and shapes (`UNet.Parameters.named()`), so a wxens
checkpoint loads with `load_state_dict(strict=True)` and a PyTorch state_dict loads into wxens with `load(...)`.
The forward pass is the one Tests/WXNNTests/NNReference.swift (`Ref.unet`) documents:

- 3x3 convolutions pad "globe" (circular in longitude = width, reflect(1) in latitude = height, PyTorch's
  "reflect", edge not repeated) or "zeros"; the 1x1 skip convolution of a residual block does not pad;
- conditioning embedding e = silu(mlp2(silu(mlp1(phi(s))))), phi concatenating per scalar
  [cos(2 pi s / P_k)..., sin(2 pi s / P_k)...] with P_k geometric from min_period to max_period (in float64);
- residual block: h = conv1(silu(norm1(x))); [scale | shift] = emb(e);
  y = conv2(silu(norm2(h) (1 + scale) + shift)) + skip(x);
- attention block: y = x + proj(MHA(q(n), k(n), v(n))), n = GroupNorm(x), tokens = grid points, heads split the
  channels contiguously, softmax(q k^T / sqrt(d));
- encoder: conv_in(cat(x, condition)), per level res_blocks x (res [, attn]) then a stride-2 3x3 conv (not at the
  coarsest level); every block output and the conv_in/downsample outputs are skips;
- middle: res, attn (if mid_attention), res;
- decoder from the coarsest level: res_blocks + 1 x (res(cat(h, skip)) [, attn]), then nearest x2 + 3x3 conv
  (not at level 0); then conv_out(silu(norm_out(h))).

Importable: `sys.path.insert(0, "scripts/golden"); from unet_torch import UNet`.
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["UNet", "load_config"]


def load_config(path):
    with open(path) as f:
        return json.load(f)


class PadConv2d(nn.Conv2d):
    """nn.Conv2d applied to the input padded as wxens's `GlobePadding` says (k // 2 on each side)."""

    def __init__(self, cin, cout, k, stride=1, padding="globe"):
        self.wx_padding = padding
        self.wx_amount = k // 2
        # Zero padding is the convolution's own; globe padding is done by F.pad before an unpadded convolution.
        super().__init__(cin, cout, k, stride=stride, padding=self.wx_amount if padding == "zeros" else 0)

    def forward(self, x):
        p = self.wx_amount
        if p and self.wx_padding == "globe":
            x = F.pad(x, (p, p, 0, 0), mode="circular")   # longitude (last axis) wraps around
            x = F.pad(x, (0, 0, p, p), mode="reflect")    # latitude mirrors about the first and last rows
        return super().forward(x)


def group_norm_silu(x, norm, scale=None, shift=None):
    """silu(GroupNorm(x) (1 + scale) + shift), modulation optional (wxens GroupNormSiLULayer)."""
    h = F.group_norm(x, norm.num_groups, norm.weight, norm.bias, norm.eps)
    if scale is not None:
        h = h * (1 + scale[:, :, None, None]) + shift[:, :, None, None]
    return F.silu(h)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, embedding_width, groups, padding):
        super().__init__()
        self.out_channels = cout
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = PadConv2d(cin, cout, 3, padding=padding)
        self.emb = nn.Linear(embedding_width, 2 * cout) if embedding_width > 0 else None
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.conv2 = PadConv2d(cout, cout, 3, padding=padding)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, e):
        h = self.conv1(group_norm_silu(x, self.norm1))
        scale = shift = None
        if self.emb is not None and e is not None:
            scale, shift = self.emb(e).split(self.out_channels, dim=1)
        h = self.conv2(group_norm_silu(h, self.norm2, scale, shift))
        return h + (self.skip(x) if self.skip is not None else x)


class AttentionBlock(nn.Module):
    def __init__(self, channels, heads, groups):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels, eps=1e-5)
        self.q = nn.Linear(channels, channels)
        self.k = nn.Linear(channels, channels)
        self.v = nn.Linear(channels, channels)
        self.proj = nn.Linear(channels, channels)

    def forward(self, x):
        n, c, h, w = x.shape
        L, d = h * w, c // self.heads
        t = self.norm(x).flatten(2).transpose(1, 2)  # [N, L, C]

        def split(z):  # [N, L, C] -> [N, heads, L, d], head i = channels [i d, (i + 1) d)
            return z.view(n, L, self.heads, d).transpose(1, 2)

        o = F.scaled_dot_product_attention(split(self.q(t)), split(self.k(t)), split(self.v(t)))  # scale 1/sqrt(d)
        o = o.transpose(1, 2).reshape(n, L, c)
        return x + self.proj(o).transpose(1, 2).reshape(n, c, h, w)


class ConditioningEmbedding(nn.Module):
    def __init__(self, scalars, width):
        super().__init__()
        self.periods = []
        for s in scalars:
            half = s["features"] // 2
            lo, hi = float(s["min_period"]), float(s["max_period"])
            self.periods.append([lo] if half == 1 else [lo * math.pow(hi / lo, k / (half - 1)) for k in range(half)])
        self.mlp1 = nn.Linear(sum(2 * len(p) for p in self.periods), width)
        self.mlp2 = nn.Linear(width, width)

    def features(self, s):
        """Fourier features [N, F] of scalars [N, S], computed in float64 then rounded to the weights' dtype."""
        parts = []
        for j, ps in enumerate(self.periods):
            angle = 2 * math.pi * s[:, j:j + 1].double() / torch.tensor(ps, dtype=torch.float64, device=s.device)
            parts += [torch.cos(angle), torch.sin(angle)]
        return torch.cat(parts, dim=1).to(self.mlp1.weight.dtype)

    def forward(self, s):
        return F.silu(self.mlp2(F.silu(self.mlp1(self.features(s)))))


class DownLevel(nn.Module):
    def __init__(self, res, attn, downsample):
        super().__init__()
        self.res = nn.ModuleList(res)
        self.attn = nn.ModuleList(attn)
        self.downsample = downsample


class MidLevel(nn.Module):
    def __init__(self, res, attn):
        super().__init__()
        self.res = nn.ModuleList(res)
        self.attn = attn


class Upsample(nn.Module):
    def __init__(self, channels, padding):
        super().__init__()
        self.conv = PadConv2d(channels, channels, 3, padding=padding)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))


class UpLevel(nn.Module):
    def __init__(self, res, attn, upsample):
        super().__init__()
        self.res = nn.ModuleList(res)
        self.attn = nn.ModuleList(attn)
        self.upsample = upsample


class UNet(nn.Module):
    """wxens's U-Net for a config dict (the keys of UNetConfig's decoder, with its defaults)."""

    def __init__(self, config):
        super().__init__()
        known = {"architecture", "input_channels", "condition_channels", "output_channels", "channels", "res_blocks",
                 "attention_levels", "mid_attention", "attention_heads", "groups", "embedding_width", "scalars",
                 "padding", "zero_init"}
        unknown = set(config) - known
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}")
        assert config.get("architecture", "unet") == "unet"
        self.config = config
        ch = list(config["channels"])
        self.input_channels = config["input_channels"]
        self.condition_channels = config.get("condition_channels", 0)
        self.levels = len(ch)
        self.res_blocks = config["res_blocks"]
        attention_levels = set(config.get("attention_levels", []))
        mid_attention = config.get("mid_attention", True)
        heads = config.get("attention_heads", 1)
        g = config["groups"]
        e = config.get("embedding_width", 0)
        scalars = config.get("scalars", [])
        pad = config.get("padding", "globe")
        assert pad in ("globe", "zeros")
        self.zero_init = config.get("zero_init", True)

        self.embed = ConditioningEmbedding(scalars, e) if scalars else None
        self.conv_in = PadConv2d(self.input_channels + self.condition_channels, ch[0], 3, padding=pad)
        skip_channels = [ch[0]]
        down = []
        c = ch[0]
        for l in range(self.levels):
            res, attn = [], []
            for _ in range(self.res_blocks):
                res.append(ResBlock(c, ch[l], e, g, pad))
                c = ch[l]
                if l in attention_levels:
                    attn.append(AttentionBlock(c, heads, g))
                skip_channels.append(c)
            ds = None
            if l < self.levels - 1:
                ds = PadConv2d(c, c, 3, stride=2, padding=pad)
                skip_channels.append(c)
            down.append(DownLevel(res, attn, ds))
        self.down = nn.ModuleList(down)
        self.mid = MidLevel([ResBlock(c, c, e, g, pad), ResBlock(c, c, e, g, pad)],
                            AttentionBlock(c, heads, g) if mid_attention else None)
        up = [None] * self.levels
        for l in reversed(range(self.levels)):
            res, attn = [], []
            for _ in range(self.res_blocks + 1):
                skip = skip_channels.pop()
                res.append(ResBlock(c + skip, ch[l], e, g, pad))
                c = ch[l]
                if l in attention_levels:
                    attn.append(AttentionBlock(c, heads, g))
            up[l] = UpLevel(res, attn, Upsample(c, pad) if l > 0 else None)
        assert not skip_channels
        self.up = nn.ModuleList(up)
        self.norm_out = nn.GroupNorm(g, c, eps=1e-5)
        self.conv_out = PadConv2d(c, config["output_channels"], 3, padding=pad)
        if self.zero_init:
            self._zero_residuals()

    def _zero_residuals(self):
        """wxens's zero_init: each residual branch's last conv, each attention's proj and conv_out start at zero."""
        for m in self.modules():
            if isinstance(m, ResBlock):
                zs = [m.conv2]
            elif isinstance(m, AttentionBlock):
                zs = [m.proj]
            else:
                continue
            for z in zs:
                nn.init.zeros_(z.weight)
                nn.init.zeros_(z.bias)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, x, condition=None, scalars=None):
        e = self.embed(scalars) if self.embed is not None else None
        h = self.conv_in(torch.cat([x, condition], dim=1) if self.condition_channels > 0 else x)
        skips = [h]
        for level in self.down:
            for b, res in enumerate(level.res):
                h = res(h, e)
                if len(level.attn):
                    h = level.attn[b](h)
                skips.append(h)
            if level.downsample is not None:
                h = level.downsample(h)
                skips.append(h)
        h = self.mid.res[0](h, e)
        if self.mid.attn is not None:
            h = self.mid.attn(h)
        h = self.mid.res[1](h, e)
        for l in reversed(range(self.levels)):
            level = self.up[l]
            for b, res in enumerate(level.res):
                h = res(torch.cat([h, skips.pop()], dim=1), e)
                if len(level.attn):
                    h = level.attn[b](h)
            if level.upsample is not None:
                h = level.upsample(h)
        return self.conv_out(group_norm_silu(h, self.norm_out))
