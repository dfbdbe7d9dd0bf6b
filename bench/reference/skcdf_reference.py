"""SKCDF reference algorithm in plain PyTorch (the training step and the model of the official trainer).

Used by bench/train-step.ts as the PyTorch side of the comparison:
  verify  -- load our TypeScript model's state dict and inputs, compare forward outputs ('labeled' and
             'unlabeled', train mode) and one training step (identical masks) with ours; prints JSON.
  bench   -- model construction + warm-up + timed training iterations; prints JSON (times, CPU times, peak RSS,
             RSS after each timed iteration).
  overhead -- the non-convolution parts of a step (DC+CE loss forward+backward on a small input, decoder
             weight averaging, SGD step, keep probabilities), each repeated between os.getuid() markers so
             that callgrind (--dump-before=getuid) counts each part's instructions (bench/harness.ts).

Parameter names and shapes are those of VNet_Decouple_Attention_ABC (spec 1); shapes that the
reference hard-codes (batch 2+2, local grid, global 256 tokens) are derived from the bottleneck.
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------
# Network (spec 1)

class ConvBlock(nn.Module):
    def __init__(self, n_stages, n_in, n_out):
        super().__init__()
        ops = []
        for i in range(n_stages):
            ops += [nn.Conv3d(n_in if i == 0 else n_out, n_out, 3, padding=1), nn.BatchNorm3d(n_out), nn.ReLU(inplace=True)]
        self.conv = nn.Sequential(*ops)

    def forward(self, x):
        return self.conv(x)


class Down(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv3d(n_in, n_out, 2, stride=2, padding=0), nn.BatchNorm3d(n_out), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.conv(x)


class Up(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.conv = nn.Sequential(nn.ConvTranspose3d(n_in, n_out, 2, stride=2, padding=0), nn.BatchNorm3d(n_out), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.conv(x)


class Encoder(nn.Module):
    def __init__(self, n_channels, nf, has_dropout):
        super().__init__()
        self.has_dropout = has_dropout
        self.block_one = ConvBlock(1, n_channels, nf)
        self.block_one_dw = Down(nf, 2 * nf)
        self.block_two = ConvBlock(2, 2 * nf, 2 * nf)
        self.block_two_dw = Down(2 * nf, 4 * nf)
        self.block_three = ConvBlock(3, 4 * nf, 4 * nf)
        self.block_three_dw = Down(4 * nf, 8 * nf)
        self.block_four = ConvBlock(3, 8 * nf, 8 * nf)
        self.block_four_dw = Down(8 * nf, 16 * nf)
        self.block_five = ConvBlock(3, 16 * nf, 16 * nf)
        self.dropout = nn.Dropout3d(p=0.5, inplace=False)

    def forward(self, x):
        x1 = self.block_one(x)
        x2 = self.block_two(self.block_one_dw(x1))
        x3 = self.block_three(self.block_two_dw(x2))
        x4 = self.block_four(self.block_three_dw(x3))
        x5 = self.block_five(self.block_four_dw(x4))
        if self.has_dropout:
            x5 = self.dropout(x5)
        return x1, x2, x3, x4, x5


class Decoder(nn.Module):
    def __init__(self, n_classes, nf, has_dropout):
        super().__init__()
        self.has_dropout = has_dropout
        self.block_five_up = Up(16 * nf, 8 * nf)
        self.block_six = ConvBlock(3, 8 * nf, 8 * nf)
        self.block_six_up = Up(8 * nf, 4 * nf)
        self.block_seven = ConvBlock(3, 4 * nf, 4 * nf)
        self.block_seven_up = Up(4 * nf, 2 * nf)
        self.block_eight = ConvBlock(2, 2 * nf, 2 * nf)
        self.block_eight_up = Up(2 * nf, nf)
        self.block_nine = ConvBlock(1, nf, nf)
        self.out_conv9 = nn.Conv3d(nf, n_classes, 1, padding=0)
        self.out_conv9_abc = nn.Conv3d(nf, n_classes, 1, padding=0)
        self.dropout = nn.Dropout3d(p=0.5, inplace=False)

    def forward(self, feats):
        x1, x2, x3, x4, x5 = feats
        x6 = self.block_six(self.block_five_up(x5) + x4)
        x7 = self.block_seven(self.block_six_up(x6) + x3)
        x8 = self.block_eight(self.block_seven_up(x7) + x2)
        x9 = self.block_nine(self.block_eight_up(x8) + x1)
        if self.has_dropout:
            x9 = self.dropout(x9)
        return self.out_conv9(x9), self.out_conv9_abc(x9)


class TokenLearner(nn.Module):
    def __init__(self, n_tokens, kernel):
        super().__init__()
        self.proj = nn.Conv3d(1, n_tokens, kernel, stride=kernel)
        self.map_in = nn.Sequential(nn.Conv3d(1, n_tokens, kernel, stride=kernel), nn.GELU())  # unused by forward

    def forward(self, x):
        return self.proj(x)


class AttnCore(nn.Module):
    def __init__(self, num_heads, E, p):
        super().__init__()
        self.num_heads = num_heads
        self.E = E
        self.q = nn.Linear(E, E * num_heads, bias=False)
        self.k = nn.Linear(E, E * num_heads, bias=False)
        self.v = nn.Linear(E, E * num_heads, bias=False)
        self.psi = nn.InstanceNorm2d(1)
        self.softmax = nn.Softmax(dim=3)
        self.out = nn.Linear(E * num_heads, E, bias=False)
        self.attn_dropout = nn.Dropout(p)
        self.proj_dropout = nn.Dropout(p)

    def scores(self, a):
        """a: (..., r, c) maps; psi normalizes each map over (r, c); softmax over c; attn dropout."""
        shp = a.shape
        a = self.psi(a.reshape(-1, 1, shp[-2], shp[-1]))
        a = self.softmax(a)
        return self.attn_dropout(a).reshape(shp)


class LocalAttn(AttnCore):
    # rows (b, n) with 8 tokens p and features; grid (gd, gh, gw), N = gd*gh*gw

    def place(self, ctx, B, grid, F_):
        """ctx (B, N, F_, 8) [b, (d,h,w), f, (p1,p2,p3)] -> (B, D*H*W, F_) with token (d p1 h p2 w p3)."""
        gd, gh, gw = grid
        y = ctx.reshape(B, gd, gh, gw, F_, 2, 2, 2).permute(0, 1, 5, 2, 6, 3, 7, 4)
        return y.reshape(B, gd * 2 * gh * 2 * gw * 2, F_)

    def direction(self, xq, xs, B, grid):
        N = grid[0] * grid[1] * grid[2]
        EH = self.E * self.num_heads
        q = self.q(xq).reshape(B, N, 8, EH).transpose(2, 3)                          # (B, N, EH, 8)
        K = self.k(xs).reshape(B, N, 8, EH).permute(1, 2, 0, 3).reshape(N, 8, B * EH)  # per position: (8, (s, f))
        V = self.v(xs).reshape(B, N, 8, EH).permute(1, 0, 3, 2).reshape(N, B * EH, 8)  # per position: ((s, f), 8)
        a = torch.matmul(q.transpose(0, 1), K.unsqueeze(1))                          # (N, B, EH, B*EH)
        a = self.scores(a)
        ctx = torch.matmul(a, V.unsqueeze(1))                                         # (N, B, EH, 8)
        y = self.place(ctx.transpose(0, 1), B, grid, EH)
        return self.proj_dropout(self.out(y))

    def forward(self, x, mode, B, grid):
        if mode == 'labeled':
            h = B // 2
            N = grid[0] * grid[1] * grid[2]
            xl, xu = x[:h * N], x[h * N:]
            u2l = self.direction(xu.detach(), xl, h, grid)
            l2u = self.direction(xl, xu.detach(), h, grid)
            return torch.cat([l2u, u2l], 0)
        R = x.shape[0]
        E, Hh = self.E, self.num_heads
        q = self.q(x).reshape(R, 8, E, Hh).permute(0, 3, 2, 1)  # c-major heads: (R, Hh, E, 8)
        k = self.k(x).reshape(R, 8, E, Hh).permute(0, 3, 1, 2)  # (R, Hh, 8, E)
        v = self.v(x).reshape(R, 8, E, Hh).permute(0, 3, 2, 1)  # (R, Hh, E, 8)
        a = self.scores(torch.matmul(q, k))                       # (R, Hh, E, E)
        ctx = torch.matmul(a, v)                                  # (R, Hh, E, 8)
        N = grid[0] * grid[1] * grid[2]
        ctx = ctx.permute(0, 2, 1, 3).reshape(B, N, E * Hh, 8)    # feature c*Hh + j
        return self.out(self.place(ctx, B, grid, E * Hh))         # no proj_dropout in this mode


class GlobalAttn(AttnCore):
    def direction(self, xq, xs):
        B, M, _ = xq.shape
        EH = self.E * self.num_heads
        q = self.q(xq).transpose(1, 2)                                # (B, EH, M)
        K = self.k(xs).permute(1, 0, 2).reshape(M, B * EH)            # (M, (s, f))
        V = self.v(xs).permute(1, 0, 2).reshape(M, B * EH)
        a = self.scores(torch.matmul(q, K))                           # (B, EH, B*EH)
        ctx = torch.matmul(a, V.t())                                  # (B, EH, M)
        return self.proj_dropout(self.out(ctx.transpose(1, 2)))

    def forward(self, x, mode):
        if mode == 'labeled':
            h = x.shape[0] // 2
            xl, xu = x[:h], x[h:]
            u2l = self.direction(xu.detach(), xl)
            l2u = self.direction(xl, xu.detach())
            return torch.cat([l2u, u2l], 0)
        B, M, _ = x.shape
        E, Hh = self.E, self.num_heads
        q = self.q(x).reshape(B, M, Hh, E).permute(0, 2, 3, 1)  # head-major in: (B, Hh, E, M)
        k = self.k(x).reshape(B, M, Hh, E).permute(0, 2, 1, 3)  # (B, Hh, M, E)
        v = self.v(x).reshape(B, M, Hh, E).permute(0, 2, 3, 1)  # (B, Hh, E, M)
        a = self.scores(torch.matmul(q, k))                       # (B, Hh, E, E)
        ctx = torch.matmul(a, v)                                  # (B, Hh, E, M)
        y = ctx.permute(0, 3, 2, 1).reshape(B, M, E * Hh)         # c-major out
        return self.proj_dropout(self.out(y))


class AttnBlock(nn.Module):
    def __init__(self, E, bottleneck, num_heads, p, local):
        super().__init__()
        self.E = E
        self.local = local
        self.bottleneck = tuple(bottleneck)
        D, H, W = self.bottleneck
        if local:
            if D % 2 or H % 2 or W % 2:
                raise ValueError(f'local attention: bottleneck {self.bottleneck} must be even in every dim (patch dims multiples of 32)')
            self.token_learner = TokenLearner(8, (2, 2, 2))
        else:
            self.token_learner = TokenLearner(D * H * W, (D, H, W))
        self.attn_norm = nn.LayerNorm(E, eps=1e-6)
        self.attn = (LocalAttn if local else GlobalAttn)(num_heads, E, p)
        self.ffn_norm = nn.LayerNorm(E, eps=1e-6)
        self.map_out = nn.Sequential(nn.Conv3d(E, E, 1), nn.GELU())
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)

    def forward(self, x, mode):
        if not self.training:
            x = torch.cat([x, x], 0)
        B, E = x.shape[0], self.E
        D, H, W = self.bottleneck
        t = self.token_learner(x.reshape(B * E, 1, D, H, W))
        if self.local:
            grid = (D // 2, H // 2, W // 2)
            N = grid[0] * grid[1] * grid[2]
            tok = t.reshape(B, E, 8, N)                                            # [b, c, p, n]
            res = self.attn.place(tok.permute(0, 3, 1, 2), B, grid, E)             # (B, DHW, E)
            emb = self.attn_norm(tok.permute(0, 3, 2, 1).reshape(B * N, 8, E))     # rows (b, n), tokens p, feats c
            y = self.attn(emb, mode, B, grid)
        else:
            res = t.reshape(B, E, D * H * W).transpose(1, 2)                       # x[b, n, c] = tokens[b*E+c, n]
            y = self.attn(self.attn_norm(res), mode)
        y = self.ffn_norm(y + res)
        y = self.map_out(y.permute(0, 2, 1).reshape(B, E, D, H, W))
        if not self.training:
            y = y[:B // 2]
        return y


class VNet_Decouple_Attention_ABC(nn.Module):
    def __init__(self, n_channels=1, n_classes=14, n_filters=16, patch=(64, 128, 128), num_heads=2, has_dropout=True, attn_p=0.1):
        super().__init__()
        E = 16 * n_filters
        bn = tuple(p // 16 for p in patch)
        self.encoder = Encoder(n_channels, n_filters, has_dropout)
        self.decoder_l = Decoder(n_classes, n_filters, has_dropout)
        self.decoder_u = Decoder(n_classes, n_filters, has_dropout)
        self.cross_attention_local = AttnBlock(E, bn, num_heads, attn_p, True)
        self.cross_attention_global = AttnBlock(E, bn, num_heads, attn_p, False)

    def forward(self, image, mode):
        x1, x2, x3, x4, x5 = self.encoder(image)
        x5 = self.cross_attention_local(x5, mode)
        x5 = self.cross_attention_global(x5, mode)
        dec = self.decoder_l if mode == 'labeled' else self.decoder_u
        return dec((x1, x2, x3, x4, x5))

    def set_dropout(self, p):
        for m in self.modules():
            if isinstance(m, (nn.Dropout, nn.Dropout3d)):
                m.p = p


def xavier_normal_init(model):
    for m in model.modules():
        if isinstance(m, nn.Conv3d):
            nn.init.xavier_normal_(m.weight)
        elif isinstance(m, nn.BatchNorm3d):
            m.weight.data.fill_(1)
            m.bias.data.zero_()


# ----------------------------------------------------------------------------------------------
# Loss (nnU-Net DC_and_CE_loss, spec 2)

def soft_dice(x, y):
    """softmax, batch dice, background excluded, smooth 1; y (n, 1, ...) class indices of any dtype."""
    x = torch.softmax(x, 1)
    onehot = torch.zeros(x.shape, device=x.device)  # float32, as nnU-Net builds it
    onehot.scatter_(1, y.long(), 1)
    tp = x * onehot
    fp = x * (1 - onehot)
    fn = (1 - x) * onehot
    axes = [0] + list(range(2, x.ndim))
    for a in sorted(axes, reverse=True):
        tp, fp, fn = tp.sum(a), fp.sum(a), fn.sum(a)
    dc = (2 * tp + 1) / (2 * tp + fp + fn + 1 + 1e-8)
    return 1 - dc[1:].mean()


def dc_ce(x, y):
    return F.cross_entropy(x, y[:, 0].long()) + soft_dice(x, y)


def keep_probabilities(label, ir2):
    """The reference's sequential where(prob == i, ir2[i], prob), float64."""
    prob = label.double()
    for i in range(ir2.shape[0]):
        prob = torch.where(prob == i, ir2[i], prob)
    return prob


@torch.no_grad()
def average_decoder_weights(model, ema_w):
    def blend(t, s):
        t.mul_(ema_w).add_(s, alpha=1 - ema_w)
    dl, du = model.decoder_l, model.decoder_u
    blend(dl.out_conv9.weight, dl.out_conv9_abc.weight)
    blend(dl.out_conv9.bias, dl.out_conv9_abc.bias)
    lp = dict(dl.named_parameters())
    for name, p in du.named_parameters():
        blend(p, lp[name])
    blend(du.out_conv9.weight, du.out_conv9_abc.weight)
    blend(du.out_conv9.bias, du.out_conv9_abc.bias)


def train_step(model, opt, image_l, label_l, image_u, ir2, epoch, max_epoch, cps_w, ema_w, mask_l=None, mask_u=None, scaler=None):
    """scaler: a torch.amp.GradScaler for mixed precision (float16 autocast forwards on CUDA, losses in float32)."""
    average_decoder_weights(model, ema_w)
    n = image_l.shape[0]

    def forward(x, mode):
        if scaler is None:
            return model(x, mode)
        with torch.autocast(x.device.type, dtype=torch.float16):
            o, oa = model(x, mode)
        return o.float(), oa.float()

    out_a, out_a_abc = forward(torch.cat([image_l, image_u], 0), 'labeled')
    out_l, out_l_abc = out_a[:n], out_a_abc[:n]
    if mask_l is None:
        mask_l = torch.bernoulli(keep_probabilities(label_l, ir2))
    sup = dc_ce(out_l, label_l)
    sup_abc = dc_ce(out_l_abc * mask_l, label_l * mask_l)
    loss_sup = sup + sup_abc
    with torch.no_grad():
        pl = out_a[n:].argmax(1, keepdim=True)
        pl_abc = out_a_abc[n:].argmax(1, keepdim=True)
    ir22 = 1 - (epoch / max_epoch) * (1 - ir2)
    if mask_u is None:
        mask_u = torch.bernoulli(keep_probabilities(pl_abc, ir22))
    out_u, out_u_abc = forward(image_u, 'unlabeled')
    u = dc_ce(out_u, pl)
    u_abc = dc_ce(out_u_abc * mask_u, pl_abc * mask_u)
    loss_u = u + u_abc
    loss = loss_sup + cps_w * loss_u
    if scaler is None:
        loss.backward()
        opt.step()
    else:
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
    opt.zero_grad()
    return {'loss': loss.item(), 'lossSup': loss_sup.item(), 'lossU': loss_u.item(),
            'terms': {'sup': sup.item(), 'supAbc': sup_abc.item(), 'u': u.item(), 'uAbc': u_abc.item()}}


def make_optimizer(model, lr):
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=3e-5)


# ----------------------------------------------------------------------------------------------
# Commands

def maxabs(a, b):
    return (a.double() - b.double()).abs().max().item()


def to_device(data, device):
    return {k: (v.to(device) if isinstance(v, torch.Tensor) else v) for k, v in data.items()}


def cmd_verify(a):
    data = to_device(torch.load(a.data, weights_only=False), a.device)
    model = VNet_Decouple_Attention_ABC(n_classes=a.classes, n_filters=a.filters, patch=tuple(a.patch), has_dropout=a.dropout).to(a.device)
    data['state'] = {k: v.to(a.device) for k, v in data['state'].items()}
    missing = model.load_state_dict(data['state'], strict=True)
    ours_keys = list(data['state'].keys())
    ref_keys = list(model.state_dict().keys())
    shapes_equal = all(model.state_dict()[k].shape == data['state'][k].shape for k in ref_keys)
    model.set_dropout(0.0)
    model.train()
    out = {'keysEqual': ours_keys == ref_keys, 'shapesEqual': shapes_equal, 'loadResult': str(missing)}
    with torch.no_grad():
        for mode, key in (('labeled', 'fwdLabeled'), ('unlabeled', 'fwdUnlabeled')):
            x = data['imageLU'] if mode == 'labeled' else data['imageU']
            o, oa = model(x, mode)
            out[key] = {'out': maxabs(o, data[key + 'Out']), 'outAbc': maxabs(oa, data[key + 'OutAbc'])}
    opt = make_optimizer(model, a.lr)
    r = train_step(model, opt, data['imageL'], data['labelL'], data['imageU'], data['ratios'], a.epoch, a.max_epoch,
                   a.cps_w, 0.99, data['maskL'], data['maskU'])
    ours = data['stepResult']
    out['step'] = {'ref': r, 'ours': ours, 'lossAbsDiff': abs(r['loss'] - ours['loss']),
                   'termsAbsDiff': {k: abs(r['terms'][k] - ours['terms'][k]) for k in r['terms']}}
    sd = model.state_dict()
    diffs = {k: maxabs(sd[k], data['stateAfter'][k].to(a.device)) for k in sd if sd[k].is_floating_point()}
    worst = max(diffs, key=diffs.get)
    out['paramsAfterStep'] = {'maxAbsDiff': diffs[worst], 'worst': worst}
    print(json.dumps(out))


def proc_status_kib(field):
    """A KiB field of /proc/self/status (VmHWM, VmRSS, ...), or None where the file or field is missing."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def vm_hwm_kib():
    """This process's own peak RSS (KiB): VmHWM, not inherited across fork/exec as ru_maxrss is on Linux."""
    return proc_status_kib('VmHWM')


def vm_rss_kib():
    """This process's resident set now (KiB): VmRSS."""
    return proc_status_kib('VmRSS')


def cpu_ms():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1000


def cmd_bench(a):
    torch.set_num_threads(a.threads)
    rss0 = vm_hwm_kib()
    data = to_device(torch.load(a.data, weights_only=False), a.device)
    torch.manual_seed(0)
    model = VNet_Decouple_Attention_ABC(n_classes=a.classes, n_filters=a.filters, patch=tuple(a.patch), has_dropout=a.dropout)
    xavier_normal_init(model)
    model.to(a.device).train()
    opt = make_optimizer(model, a.lr)
    scaler = torch.amp.GradScaler(a.device.split(':')[0]) if a.amp else None
    cuda = a.device.startswith('cuda')
    times, cpus, syss, faults, rsss = [], [], [], [], []
    r = None

    def iteration(timed):
        nonlocal r
        if cuda:
            torch.cuda.synchronize()
        u0 = resource.getrusage(resource.RUSAGE_SELF)
        t0, c0 = time.perf_counter(), cpu_ms()
        r = train_step(model, opt, data['imageL'], data['labelL'], data['imageU'], data['ratios'], a.epoch, a.max_epoch, a.cps_w, 0.99, scaler=scaler)
        if cuda:
            torch.cuda.synchronize()
        dt, dc = time.perf_counter() - t0, cpu_ms() - c0
        if timed:
            u1 = resource.getrusage(resource.RUSAGE_SELF)
            times.append(dt * 1000)
            cpus.append(dc)
            syss.append((u1.ru_stime - u0.ru_stime) * 1000)
            faults.append(u1.ru_minflt - u0.ru_minflt)
            rsss.append(vm_rss_kib())

    for i in range(a.warmup):
        iteration(False)
    if a.lockstep:
        # One timed iteration per 'step' line on stdin, answered with its times; 'end' ends the loop.
        print(json.dumps({'ready': True}), flush=True)
        for line in sys.stdin:
            if line.strip() != 'step':
                break
            iteration(True)
            print(json.dumps({'ms': times[-1], 'cpuMs': cpus[-1]}), flush=True)
    else:
        for i in range(a.iters):
            iteration(True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    out = {'timesMs': times, 'cpuMs': cpus, 'sysMs': syss, 'minorFaults': faults, 'rssKiB': rsss, 'maxRssKiB': rss, 'vmHwmKiB': vm_hwm_kib(), 'rssBeforeModelKiB': rss0, 'loss': r['loss'],
           'threads': torch.get_num_threads(), 'torch': torch.__version__, 'device': a.device, 'amp': bool(a.amp)}
    if cuda:
        out['cudaPeakAllocatedMiB'] = torch.cuda.max_memory_allocated() / 2**20
        out['gpu'] = torch.cuda.get_device_name()
    print(json.dumps(out))


def cmd_overhead(a):
    """Phases (in this order): loss, ema, step, keep; a.iters repetitions each after a.warmup untimed ones."""
    torch.set_num_threads(a.threads)
    data = torch.load(a.data, weights_only=False)
    torch.manual_seed(0)
    model = VNet_Decouple_Attention_ABC(n_classes=a.classes, n_filters=a.filters, patch=tuple(a.patch), has_dropout=a.dropout)
    xavier_normal_init(model)
    model.train()
    opt = make_optimizer(model, a.lr)
    for p in model.parameters():
        p.grad = torch.full_like(p, 1e-3)
    logits, target = data['lossLogits'].clone().requires_grad_(True), data['lossTarget']
    label, ratios = data['labelL'], data['ratios']

    def loss():
        dc_ce(logits, target).backward()
        logits.grad = None

    def step():
        opt.step()

    phases = [loss, lambda: average_decoder_weights(model, 0.99), step, lambda: torch.bernoulli(keep_probabilities(label, ratios))]
    for f in phases:
        for _ in range(a.warmup):
            f()
    os.getuid()
    for f in phases:
        for _ in range(a.iters):
            f()
        os.getuid()
    print(json.dumps({'phases': ['loss', 'ema', 'step', 'keep'], 'iters': a.iters}))


def cmd_profile(a):
    """Forward / loss / backward / step split per phase, median ms."""
    torch.set_num_threads(a.threads)
    data = torch.load(a.data, weights_only=False)
    torch.manual_seed(0)
    model = VNet_Decouple_Attention_ABC(n_classes=a.classes, n_filters=a.filters, patch=tuple(a.patch), has_dropout=a.dropout)
    xavier_normal_init(model)
    model.train()
    opt = make_optimizer(model, a.lr)
    names = ('avg', 'fwdLabeled', 'masks', 'lossSup', 'fwdUnlabeled', 'lossU', 'backward', 'step')
    ph = {k: [] for k in names}

    def clock():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return (time.perf_counter() * 1000, (r.ru_utime + r.ru_stime) * 1000, r.ru_stime * 1000, r.ru_minflt)

    for i in range(a.warmup + a.iters):
        t = [clock()]

        def mark(k):
            t.append(clock())
            if i >= a.warmup:
                ph[k].append([b - a for a, b in zip(t[-2], t[-1])])
        average_decoder_weights(model, 0.99); mark('avg')
        n = data['imageL'].shape[0]
        oa, oaa = model(torch.cat([data['imageL'], data['imageU']], 0), 'labeled'); mark('fwdLabeled')
        ml = torch.bernoulli(keep_probabilities(data['labelL'], data['ratios']))
        with torch.no_grad():
            pl, pla = oa[n:].argmax(1, keepdim=True), oaa[n:].argmax(1, keepdim=True)
        mu = torch.bernoulli(keep_probabilities(pla, 1 - (a.epoch / a.max_epoch) * (1 - data['ratios']))); mark('masks')
        ls = dc_ce(oa[:n], data['labelL']) + dc_ce(oaa[:n] * ml, data['labelL'] * ml); mark('lossSup')
        ou, oua = model(data['imageU'], 'unlabeled'); mark('fwdUnlabeled')
        lu = dc_ce(ou, pl) + dc_ce(oua * mu, pla * mu)
        loss = ls + a.cps_w * lu; loss.item(); mark('lossU')
        loss.backward(); mark('backward')
        opt.step(); opt.zero_grad(); mark('step')

    def med(xs):
        return sorted(xs)[len(xs) // 2]
    print(json.dumps({k: {m: med([s[j] for s in v]) for j, m in enumerate(('wallMs', 'cpuMs', 'sysMs', 'faults'))}
                      for k, v in ph.items()}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('command', choices=['verify', 'bench', 'profile', 'overhead'])
    p.add_argument('--data', required=True)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--filters', type=int, default=16)
    p.add_argument('--classes', type=int, default=14)
    p.add_argument('--patch', type=int, nargs=3, default=[32, 64, 64])
    p.add_argument('--dropout', action=argparse.BooleanOptionalAction, default=True,
                   help='encoder/decoder Dropout3d(0.5) (has_dropout); --no-dropout builds the model without it')
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--iters', type=int, default=5)
    p.add_argument('--lr', type=float, default=0.3)
    p.add_argument('--epoch', type=int, default=1)
    p.add_argument('--max-epoch', type=int, default=1500)
    p.add_argument('--cps-w', type=float, default=10 * 2.718281828459045 ** -5)
    p.add_argument('--device', default='cpu')
    p.add_argument('--amp', action='store_true', help='float16 autocast forwards + GradScaler (bench only)')
    p.add_argument('--lockstep', action='store_true', help="bench: after the warm-up, one iteration per 'step' line on stdin")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    {'verify': cmd_verify, 'bench': cmd_bench, 'profile': cmd_profile, 'overhead': cmd_overhead}[a.command](a)


if __name__ == '__main__':
    sys.exit(main())
