#!/usr/bin/env python3
"""PyTorch reference for `autoloss bench`: the same training steps on 1 thread, same JSON shape.

Each case times one full step (zero grad, forward, backward, Adam) of the model that
Sources/Pipeline/Bench*.swift builds (for the GAN cases the GAN task's own models and steps), and
reports the median ms per step over the repeats plus GFLOP/s from the same analytic FLOP counts. `sgemm512` is numpy's matmul (the target the Swift
sgemm is held against); `sgemm512_torch` is torch.mm. `d_conv2` is the D step's heaviest convolution
alone (forward and both backward passes), the reference for the engine's conv GFLOP/s.

Usage: bench_torch.py [--repeats N] [--warmup N] [--only name,...] [--threads N]
Needs torch (torch==2.13.0+cpu) and numpy; exits with status 3 when torch is missing.
"""
import argparse
import json
import os
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=11)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--only", default="")
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args()


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # torch is optional: bench.sh prints ours only
    print(f"bench_torch.py: {e}", file=sys.stderr)
    sys.exit(3)

torch.set_num_threads(ARGS.threads)
MIN_REPEAT_SECONDS = 0.02


def measure(step, flops, repeats, warmup):
    """Median seconds per step; short steps run several times per repeat."""
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    n = 0
    while True:
        step()
        n += 1
        probe = (time.perf_counter() - t0) / n
        if n >= 3 or time.perf_counter() - t0 > 0.05:
            break
    inner = 1 if probe >= MIN_REPEAT_SECONDS else min(10000, int(MIN_REPEAT_SECONDS / max(probe, 1e-7)) + 1)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            step()
        times.append((time.perf_counter() - t) / inner)
    times.sort()
    mid = len(times) // 2
    med = times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
    ms = med * 1000
    return {"ms": round(ms, 4), "gflops": round(flops / (ms * 1e6), 4), "repeats": repeats,
            "steps_per_repeat": inner}


# ---------------------------------------------------------------- models


def regression(batch=200, d=16):
    flops = 2 * 2 * batch * d * (1 + d)
    g = torch.Generator().manual_seed(1)
    w1 = nn.Parameter(torch.randn(d, 1, generator=g) * 0.1)
    w2 = nn.Parameter(torch.randn(d, d, generator=g) * 0.01)
    x = torch.randn(batch, d, generator=g)
    y = torch.randn(batch, generator=g)
    opt = torch.optim.Adam([w1, w2], lr=1e-3)

    def step():
        opt.zero_grad()
        pred = (x @ w1).reshape(-1) + ((x @ w2) * x).sum(1) * 0.1
        F.mse_loss(pred, y).backward()
        opt.step()
    return step, flops


def mlp(batch=200, inp=32, hidden=32, classes=2):
    macs = batch * (inp * hidden + hidden * classes)
    flops = 2 * (2 * macs + batch * hidden * classes)
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(inp, hidden), nn.ReLU(), nn.Linear(hidden, classes))
    x = torch.randn(batch, inp)
    labels = torch.randint(0, classes, (batch,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), labels).backward()
        opt.step()
    return step, flops


class Generator(nn.Module):
    """As Tasks.DCGANGenerator with DCGANConfig.mnist (no batch norm, ReLU)."""

    def __init__(self, zdim, w):
        super().__init__()
        self.w = w
        self.fc = nn.Linear(zdim, 49 * 2 * w)
        # PyTorch padding=2, output_padding=1 gives TF 'SAME' sizes (shifted by a pixel; same cost)
        self.deconv1 = nn.ConvTranspose2d(2 * w, w, 5, 2, padding=2, output_padding=1)
        self.deconv2 = nn.ConvTranspose2d(w, 1, 5, 2, padding=2, output_padding=1)

    def forward(self, z):
        h = F.relu(self.fc(z)).view(z.shape[0], 2 * self.w, 7, 7)
        return torch.tanh(self.deconv2(F.relu(self.deconv1(h))))


class Discriminator(nn.Module):
    """As Tasks.DCGANDiscriminator with DCGANConfig.mnist (no batch norm, leaky ReLU 0.2)."""

    def __init__(self, w):
        super().__init__()
        self.conv1 = nn.Conv2d(1, w, 5, 2, padding=2)
        self.conv2 = nn.Conv2d(w, 2 * w, 5, 2, padding=2)
        self.fc = nn.Linear(49 * 2 * w, 1)

    def forward(self, x):
        h = F.leaky_relu(self.conv2(F.leaky_relu(self.conv1(x), 0.2)), 0.2)
        return self.fc(h.flatten(1))


def dcgan_macs(zdim, w):
    g = zdim * 49 * 2 * w + 2 * w * 49 * w * 25 + w * 196 * 25
    d_first = w * 196 * 25
    d = d_first + 2 * w * 49 * w * 25 + 49 * 2 * w
    return g, d, d_first


def dcgan_setup(seed, zdim, w, batch):
    torch.manual_seed(seed)
    G, D = Generator(zdim, w), Discriminator(w)
    for m in list(G.modules()) + list(D.modules()):
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0, 0.02)
            nn.init.zeros_(m.bias)
    real = torch.rand(batch, 1, 28, 28)
    return G, D, real


def grad_norm(params):
    """As Engine.normalizedGradientNorm: the global gradient norm divided by sqrt(parameter count)."""
    params = [p for p in params if p.grad is not None]
    n = sum(p.numel() for p in params)
    return (torch.sqrt(sum(p.grad.pow(2).sum() for p in params)) / n ** 0.5).item()


def dcgan_d_step(batch=64, zdim=128, w=64):
    """As Tasks.GANTrainer.dStep: fakes without the tape, D on real and fake, backward, D's gradient
    norm, Adam on D, the loss values and D's error on the batch."""
    g, d, d_first = dcgan_macs(zdim, w)
    flops = 2 * batch * (g + 2 * d + 2 * d + 2 * (d - d_first))
    G, D, real = dcgan_setup(4, zdim, w, batch)
    opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def step():
        z = torch.randn(batch, zdim)
        with torch.no_grad():
            fake = G(z)
        opt.zero_grad()
        real_logits, fake_logits = D(real), D(fake)
        loss_real = F.binary_cross_entropy_with_logits(real_logits, ones)
        loss_fake = F.binary_cross_entropy_with_logits(fake_logits, zeros)
        loss = 0.5 * (loss_real + loss_fake)
        loss.backward()
        grad_norm(D.parameters())
        opt.step()
        loss.item(), loss_real.item(), loss_fake.item()
        ((real_logits <= 0).sum() + (fake_logits > 0).sum()).item()
    return step, flops


def dcgan_g_step(batch=64, zdim=128, w=64):
    """As Tasks.GANTrainer.gStep: G and D forward, backward into G through a frozen D (no D weight
    gradients: D.requires_grad_(False) during the step), G's gradient norm, Adam on G, the loss value."""
    g, d, _ = dcgan_macs(zdim, w)
    g_first = zdim * 49 * 2 * w
    flops = 2 * batch * (g + d + d + 2 * g - g_first)
    G, D, _ = dcgan_setup(5, zdim, w, batch)
    opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    ones = torch.ones(batch, 1)

    def step():
        z = torch.randn(batch, zdim)
        opt.zero_grad()
        D.requires_grad_(False)
        loss = F.binary_cross_entropy_with_logits(D(G(z)), ones)
        loss.backward()
        D.requires_grad_(True)
        grad_norm(G.parameters())
        opt.step()
        loss.item()
    return step, flops


def scorer(batch=64):
    """As Tasks.ScorerCNN (MNIST) and its trainStep: one Adam step of softmax cross-entropy."""
    first = 32 * 784 * 25
    macs = first + 64 * 196 * 800 + 3136 * 1024 + 1024 * 10
    flops = 2 * batch * (3 * macs - first)
    torch.manual_seed(6)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(3136, 1024), nn.ReLU(), nn.Dropout(0.5), nn.Linear(1024, 10))
    x = torch.rand(batch, 1, 28, 28)
    labels = torch.randint(0, 10, (batch,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():  # as Tasks.ScorerCNN.trainStep
        opt.zero_grad()
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        opt.step()
        loss.item()
    return step, flops


class Seq2Seq(nn.Module):
    """As Tasks.Seq2SeqModel with one decoder: 2-layer LSTM encoder-decoder, Luong general attention,
    time-major, dropout 0.3 on the embeddings, between LSTM layers and on the attention output."""

    def __init__(self, v, e, h, layers, p=0.3):
        super().__init__()
        self.p = p
        self.src = nn.Embedding(v, e)
        self.tgt = nn.Embedding(v, e)
        self.encoder = nn.LSTM(e, h, layers, dropout=p)
        self.decoder = nn.LSTM(e, h, layers, dropout=p)
        self.w_a = nn.Linear(h, h, bias=False)
        self.w_c = nn.Linear(2 * h, h, bias=False)
        self.proj = nn.Linear(h, v)

    def forward(self, src, tgt_in):
        mem, state = self.encoder(F.dropout(self.src(src), self.p))          # [T, B, H]
        q, _ = self.decoder(F.dropout(self.tgt(tgt_in), self.p), state)       # [T, B, H]
        keys = self.w_a(mem)
        qb, kb, mb = q.transpose(0, 1), keys.transpose(0, 1), mem.transpose(0, 1)
        weights = torch.softmax(torch.bmm(qb, kb.transpose(1, 2)), dim=-1)   # [B, Td, Te]
        ctx = torch.bmm(weights, mb).transpose(0, 1)                        # [Td, B, H]
        out = F.dropout(torch.tanh(self.w_c(torch.cat([ctx, q], dim=-1))), self.p)
        return self.proj(out.reshape(-1, out.shape[-1]))


def nmt(b=32, t=30, h=256, e=128, v=8000, layers=2):
    lstm = (e + h) * 4 * h + (layers - 1) * 2 * h * 4 * h
    attention = (t * h * h + 2 * t * t * h) / t + 2 * h * h
    flops = 2 * 3 * t * b * (2 * lstm + attention + h * v)
    torch.manual_seed(7)
    model = Seq2Seq(v, e, h, layers)
    model.train()
    src, tgt_in, tgt_out = (torch.randint(4, v, (t, b)) for _ in range(3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        logits = model(src, tgt_in)
        F.cross_entropy(logits, tgt_out.reshape(-1)).backward()
        logits.detach().argmax(-1)  # the task's step also counts correct tokens
        opt.step()
    return step, flops


def d_conv2(batch=64, w=64):
    """As BenchCatalog.dConv2: the D step's second convolution (w -> 2w channels, 14x14 -> 7x7, 5x5
    kernel, stride 2; PyTorch padding=2 gives TF 'SAME' sizes at the same cost), forward plus the input
    and weight (and bias) gradients, through the convolution PyTorch picks on this CPU."""
    flops = 3 * 2 * batch * (2 * w) * 49 * w * 25
    g = torch.Generator().manual_seed(8)
    x = torch.randn(batch, w, 14, 14, generator=g).requires_grad_()
    weight = (torch.randn(2 * w, w, 5, 5, generator=g) * 0.05).requires_grad_()
    bias = torch.zeros(2 * w, requires_grad=True)
    seed = torch.randn(batch, 2 * w, 7, 7, generator=g)

    def step():
        for p in (x, weight, bias):
            p.grad = None
        F.conv2d(x, weight, bias, stride=2, padding=2).backward(seed)
    return step, flops


def sgemm_numpy(n=512):
    rng = np.random.default_rng(3)
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    c = np.empty((n, n), dtype=np.float32)
    return (lambda: np.matmul(a, b, out=c)), 2 * n ** 3


def sgemm_torch(n=512):
    a, b = torch.randn(n, n), torch.randn(n, n)
    c = torch.empty(n, n)
    return (lambda: torch.mm(a, b, out=c)), 2 * n ** 3


CASES = {
    "regression": regression, "mlp": mlp, "dcgan_d_step": dcgan_d_step, "dcgan_g_step": dcgan_g_step,
    "scorer": scorer, "nmt": nmt, "d_conv2": d_conv2, "sgemm512": sgemm_numpy, "sgemm512_torch": sgemm_torch,
}


def numpy_blas_core():
    try:
        from threadpoolctl import threadpool_info
        return ",".join(f"{i.get('internal_api')}:{i.get('architecture')}" for i in threadpool_info())
    except Exception:
        return "unknown"


def main():
    wanted = [s.strip() for s in ARGS.only.split(",") if s.strip()] or list(CASES)
    unknown = [w for w in wanted if w not in CASES]
    if unknown:
        print(f"unknown benchmark {unknown}; known: {', '.join(CASES)}", file=sys.stderr)
        return 2
    out = {}
    for name in wanted:
        step, flops = CASES[name]()
        r = measure(step, flops, ARGS.repeats, ARGS.warmup)
        print(f"{name:<15} {r['ms']:9.3f} ms  {r['gflops']:7.1f} GFLOP/s", file=sys.stderr)
        out[name] = r
    out["_meta"] = {"engine": f"torch {torch.__version__}", "threads": str(torch.get_num_threads()),
                    "cpu_capability": torch.backends.cpu.get_cpu_capability(),
                    "numpy": np.__version__, "numpy_blas": numpy_blas_core()}
    print("{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in out.items()) + "\n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
