"""Golden values for WXNN's optimiser units from PyTorch: AdamW steps (torch.optim.AdamW, foreach=False),
clip_grad_norm_, the EMA of torch.optim.swa_utils (get_ema_multi_avg_fn) and a cosine schedule with warm-up,
plus a safetensors file in F64/F16/BF16 for the reader.

Run: .venv-peers/bin/python scripts/golden/make_optimizer_golden.py  (writes Tests/WXNNTests/Golden/optimizer.safetensors,
safetensors_dtypes.safetensors)."""
import math
import os
import torch
from safetensors.torch import save_file

out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "WXNNTests", "Golden")
torch.manual_seed(7)
params = {"a.weight": torch.randn(5, 3), "a.bias": torch.randn(5), "b.weight": torch.randn(2, 2, 3, 3)}
grads = [{k: torch.randn_like(v) * (0.5 + s) for k, v in params.items()} for s in range(4)]
tensors = {f"init.{k}": v.clone() for k, v in params.items()}
for s, g in enumerate(grads):
    for k, v in g.items():
        tensors[f"grad{s}.{k}"] = v.clone()

peak, warmup, total = 1e-2, 2, 4
def lr_at(step):  # 1-based
    if step <= warmup:
        return peak * step / warmup
    q = (step - warmup) / (total - warmup)
    return 1e-4 + (peak - 1e-4) * (1 + math.cos(math.pi * q)) / 2

model = torch.nn.ParameterDict({k.replace(".", "_"): torch.nn.Parameter(v.clone()) for k, v in params.items()})
names = {k.replace(".", "_"): k for k in params}
opt = torch.optim.AdamW(model.parameters(), lr=lr_at(1), betas=(0.9, 0.99), eps=1e-6, weight_decay=0.05, foreach=False)
ema = torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(0.9))
norms = []
for s, g in enumerate(grads):
    for pk, p in model.items():
        p.grad = g[names[pk]].clone()
    norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=3.0)))
    for group in opt.param_groups:
        group["lr"] = lr_at(s + 1)
    opt.step()
    ema.update_parameters(model)
    for pk, p in model.items():
        tensors[f"step{s}.{names[pk]}"] = p.detach().clone()
        tensors[f"clipped{s}.{names[pk]}"] = p.grad.detach().clone()
for pk, p in ema.module.items():
    tensors[f"ema.{names[pk]}"] = p.detach().clone()
tensors["norms"] = torch.tensor(norms, dtype=torch.float64)
tensors["lr"] = torch.tensor([lr_at(s) for s in range(1, 5)], dtype=torch.float64)
save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(out, "optimizer.safetensors"),
          metadata={"made_by": "scripts/golden/make_optimizer_golden.py"})

x = torch.tensor([[0.5, -1.25, 3.0], [1e-3, 65504.0, -2.0]])
save_file({"f64": x.double(), "f16": x.half(), "bf16": x.bfloat16(), "f32": x, "scalar": torch.tensor(2.5)},
          os.path.join(out, "safetensors_dtypes.safetensors"), metadata={"format": "pt"})
print("wrote", out)
