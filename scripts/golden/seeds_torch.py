"""wxens's SEEDS denoiser, loss, sampler and conditioning in PyTorch, around the U-Net of unet_torch.py: the formulas of
Sources/WXGenerative/Diffusion (EDMPreconditioning, Denoiser, DenoisingLoss, NoiseSchedule, DiffusionSampler,
SEEDSConditioning), with the same rounding points: per-example constants in float64, rounded to float32 where
they meet the tensors.

  D(x; sigma) = c_skip x + c_out F(c_in x; [c_noise, lead] | condition)       (Karras et al. 2022, Table 1)
  c_skip = sd^2 / (sigma^2 + sd^2), c_out = sigma sd / sqrt(sigma^2 + sd^2), c_in = 1 / sqrt(sigma^2 + sd^2),
  c_noise = ln(sigma) / 4, lambda = (sigma^2 + sd^2) / (sigma sd)^2
  L = (1/N) sum_n lambda_n sum_{v,i,j} w_i (D - y)^2 / (V W sum_i w_i), w_i = cos(latitude_i), in float64

Importable: `sys.path.insert(0, "scripts/golden"); import seeds_torch`.
"""
import math

import torch

__all__ = ["denoise", "denoising_loss", "training_sigma", "levels", "sample", "Conditioning"]


def denoise(net, x, sigma, condition, lead, sigma_data):
    """D for x [N, V, H, W] at float64 noise levels `sigma` [N], condition [N, C, H, W] and lead (hours / 120) [N]."""
    dtype = x.dtype
    sd = sigma_data
    c_skip = sd * sd / (sigma ** 2 + sd * sd)
    c_out = sigma * sd / torch.sqrt(sigma ** 2 + sd * sd)
    c_in = 1 / torch.sqrt(sigma ** 2 + sd * sd)
    c_noise = torch.log(sigma) / 4

    def per_example(c):
        return c.to(dtype)[:, None, None, None]

    scalars = torch.stack([c_noise.to(dtype), lead.to(dtype)], dim=1)
    f = net(per_example(c_in) * x, condition, scalars)
    return per_example(c_skip) * x + per_example(c_out) * f


def denoising_loss(d, y, sigma, latitudes, sigma_data):
    """EDM's area-weighted loss (float64) of D against y [N, V, H, W] at noise levels `sigma` [N] (float64)."""
    n, v, _, w_count = d.shape
    sd = sigma_data
    lam = (sigma ** 2 + sd * sd) / (sigma * sd) ** 2
    w = torch.cos(torch.as_tensor(latitudes, dtype=torch.float64) * math.pi / 180)
    diff = d.double() - y.double()
    return (lam[:, None, None, None] * w[None, None, :, None] * diff ** 2).sum() / (v * w_count * w.sum() * n)


def training_sigma(z, noise):
    """EDM's training noise levels exp(P_mean + P_std z) (float64) for standard normal draws z."""
    return torch.exp(noise["log_mean"] + noise["log_std"] * z.double())


def levels(schedule, steps):
    """NoiseSchedule.levels: sigma_i = (a + i/(N-1) (b - a))^rho, a = sigma_max^(1/rho), b = sigma_min^(1/rho); then 0."""
    rho = float(schedule["rho"])
    a, b = math.pow(schedule["sigma_max"], 1 / rho), math.pow(schedule["sigma_min"], 1 / rho)
    return [math.pow(a if steps == 1 else a + i / (steps - 1) * (b - a), rho) for i in range(steps)] + [0.0]


def sample(denoiser, noise, sampler, churn_noise=None):
    """DiffusionSampler.sample from standard normal `noise` [B, ...]: EDM's Heun with churn or DPM-Solver++(2M).

    denoiser(x, sigma) -> D for a float sigma; churn_noise(shape) draws the churn's standard normal noise (Heun only)."""
    sigmas = levels(sampler["schedule"], sampler["steps"])
    n = len(sigmas) - 1
    x = noise * float(torch.tensor(sigmas[0], dtype=torch.float32))
    if sampler["method"] == "dpmpp2m":
        previous, previous_h = None, 0.0
        for i in range(n):
            s, nxt = sigmas[i], sigmas[i + 1]
            d = denoiser(x, s)
            if nxt == 0:
                return d
            h = math.log(s / nxt)
            d_eff = d
            if previous is not None:
                r = previous_h / h
                d_eff = _f32(1 + 1 / (2 * r)) * d + _f32(-1 / (2 * r)) * previous
            x = x * _f32(nxt / s)
            x = x + _f32(-math.expm1(-h)) * d_eff
            previous, previous_h = d, h
        return x
    assert sampler["method"] == "heun", sampler["method"]
    for i in range(n):
        s, nxt = sigmas[i], sigmas[i + 1]
        churn_range = sampler["churn_min"] <= s <= sampler["churn_max"]
        gamma = min(sampler["churn"] / n, math.sqrt(2) - 1) if churn_range else 0.0
        s_hat = s * (1 + gamma)
        if gamma > 0:
            x = x + _f32(math.sqrt(s_hat * s_hat - s * s) * sampler["churn_noise"]) * churn_noise(x.shape)
        d = _slope(x, denoiser(x, s_hat), s_hat)
        x_next = x + _f32(nxt - s_hat) * d
        if nxt > 0:
            d2 = _slope(x_next, denoiser(x_next, nxt), nxt)
            x_next = x + _f32((nxt - s_hat) / 2) * d + _f32((nxt - s_hat) / 2) * d2
        x = x_next
    return x


def _slope(x, d, sigma):
    """(x - D) / sigma as the Swift sampler forms it: x (1/sigma) + D (-1/sigma), float32 coefficients."""
    return _f32(1 / sigma) * x + _f32(-1 / sigma) * d


def _f32(c):
    """A float64 coefficient rounded to float32, as the Swift sampler's Float(...)."""
    return float(torch.tensor(c, dtype=torch.float32))


class Conditioning:
    """SEEDSConditioning from a checkpoint's statistics (mean, std [L, V, H, W], residual_scale [L, V], latitude,
    longitude): anomalies a = (x - mu) / s; condition = [seed mean a, seed spread a (n - 1), sin lat, cos lat,
    sin lon, cos lon]; members x = mu + s (mean a + q r)."""

    def __init__(self, stats):
        self.mean, self.std = stats["mean"].float(), stats["std"].float()
        self.q = stats["residual_scale"].float()
        lat = stats["latitude"].double() * math.pi / 180
        lon = stats["longitude"].double() * math.pi / 180
        h, w = lat.numel(), lon.numel()
        self.static = torch.stack([torch.sin(lat)[:, None].expand(h, w), torch.cos(lat)[:, None].expand(h, w),
                                   torch.sin(lon)[None, :].expand(h, w), torch.cos(lon)[None, :].expand(h, w)]).float()

    def condition(self, seeds, lead):
        """Condition [C, H, W] and seed mean anomaly [V, H, W] of seeds [K, V, H, W] (physical units) at lead index `lead`."""
        a = (seeds.float() - self.mean[lead]) / self.std[lead]
        m = a.sum(0) / a.shape[0]
        spread = (((a - m) ** 2).sum(0) / (a.shape[0] - 1)).sqrt()
        return torch.cat([m, spread, self.static]), m

    def members(self, r, seed_mean, lead):
        """Members [B, V, H, W] in physical units from residuals r [B, V, H, W] at lead index `lead`."""
        q = self.q[lead][None, :, None, None]
        return self.mean[lead] + self.std[lead] * (seed_mean + q * r)
