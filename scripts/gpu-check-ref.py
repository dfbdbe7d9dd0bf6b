"""Reference values for scripts/gpu-check.mjs, computed by Python torch on the same device.

usage: python3 gpu-check-ref.py INPUTS.pth OUT.pth DEVICE
INPUTS holds x (64x64), w (64x32), vol (2x3x8x16x16), k (4x3x3x3x3) made by our side; OUT gets the
results of the same operations here, so the check compares against live PyTorch, not against ourselves.
"""
import sys

import torch
import torch.nn.functional as F

inp, out, dev = sys.argv[1], sys.argv[2], sys.argv[3]
d = {k: v.to(dev) for k, v in torch.load(inp, weights_only=True).items()}
r = {}
r['mm'] = (d['x'] @ d['x']).add(1).relu()
r['conv'] = F.conv3d(d['vol'], d['k'], padding=1)
w = d['w'].clone().requires_grad_(True)
(d['x'] @ w).tanh().sum().backward()
r['grad'] = w.grad
torch.manual_seed(42)
r['randn'] = torch.randn(4096, device=dev)
r['rand'] = torch.rand(4096, device=dev)
torch.manual_seed(7)
r['bernoulli'] = torch.bernoulli(torch.full((4096,), 0.3, device=dev))
if dev.startswith('cuda'):
    with torch.autocast('cuda', dtype=torch.float16):
        r['ampMm'] = d['x'] @ d['w']
    # GradScaler: a clean step, then a step whose grad holds an inf (skipped, scale backs off).
    p = torch.nn.Parameter(d['w'].clone())
    opt = torch.optim.SGD([p], lr=0.1)
    sc = torch.amp.GradScaler('cuda')
    scales = [sc.get_scale()]
    sc.scale((d['x'] @ p).square().mean()).backward()
    sc.step(opt); sc.update(); opt.zero_grad()
    scales.append(sc.get_scale())
    r['scalerAfterClean'] = p.detach().clone()
    sc.scale((d['x'] @ p).mean() * float('inf')).backward()
    sc.step(opt); sc.update(); opt.zero_grad()
    scales.append(sc.get_scale())
    r['scalerAfterInf'] = p.detach().clone()
    r['scales'] = torch.tensor(scales, dtype=torch.float64)
torch.save({k: v.detach().cpu() for k, v in r.items()}, out)
