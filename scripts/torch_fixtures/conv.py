#!/usr/bin/env python3
"""PyTorch reference fixtures for the Engine's convolution, pooling and batch-norm ops.

Writes Tests/EngineTests/Fixtures/conv_fixtures.h5 (convolutions) and conv_norm_fixtures.h5 (pooling,
batch norm), float32, under 50 KB each. Each group holds the
inputs, parameters, the output, a random projection R, and the gradients of sum(out * R) with respect
to every input. Computed in float64, stored as float32. Needs torch, numpy and h5py:

    .venv-torch/bin/python scripts/torch_fixtures/conv.py

Groups (conv_fixtures.h5):
  conv2d_same      stride 2, TensorFlow 'SAME' padding (emulated with F.pad: extra row/col bottom/right)
  conv2d_explicit  stride 1, padding=1 (PyTorch)
  convt_same       stride 2, k=5, TensorFlow conv2d_transpose 'SAME' (7 -> 14): full transposed conv,
                   then crop pad_before = max((in-1)*s + k - out, 0) // 2 rows/cols at the top/left
  convt_explicit   stride 2, k=5, PyTorch padding=2, output_padding=1 (also 7 -> 14, shifted by one pixel
                   against TF 'SAME')
Groups (conv_norm_fixtures.h5):
  maxpool          2x2 stride 2
  bn_conv_train    [N, C, H, W] training mode, plus running stats after one update (momentum 0.1)
  bn_conv_eval     [N, C, H, W] evaluation mode with given running stats
  bn_linear_train  [N, F] training mode, plus running stats after one update (momentum 0.1)
"""
import math
import os

import h5py
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EngineTests", "Fixtures")
CONV_OUT = os.path.join(FIXTURES, "conv_fixtures.h5")
NORM_OUT = os.path.join(FIXTURES, "conv_norm_fixtures.h5")


def leaf(*shape, low=-1.0, high=1.0):
    return (torch.rand(*shape) * (high - low) + low).requires_grad_(True)


def same_pads(size, k, s):
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def record(h5, name, tensors, out):
    """Stores `tensors` (name -> leaf), out, R and d sum(out*R) / d leaf."""
    g = h5.create_group(name)
    r = torch.rand(out.shape) * 2 - 1
    (out * r).sum().backward()
    for key, t in tensors.items():
        g[key] = t.detach().numpy().astype(np.float32)
        if t.requires_grad and t.grad is not None:
            g["grad_" + key] = t.grad.numpy().astype(np.float32)
    g["output"] = out.detach().numpy().astype(np.float32)
    g["projection"] = r.numpy().astype(np.float32)
    return g


def main():
    with h5py.File(CONV_OUT, "w", libver="latest") as h5:
        # conv2d, stride 2, TF SAME on an 8x7 input with a 5x5 kernel: pads (1, 2) rows, (2, 2) cols
        x, w, b = leaf(2, 3, 8, 7), leaf(4, 3, 5, 5), leaf(4)
        top, bottom = same_pads(8, 5, 2)
        left, right = same_pads(7, 5, 2)
        out = F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride=2)
        record(h5, "conv2d_same", {"input": x, "weight": w, "bias": b}, out)

        # conv2d, stride 1, padding 1, 3x3 kernel
        x, w, b = leaf(2, 2, 5, 6), leaf(3, 2, 3, 3), leaf(3)
        out = F.conv2d(x, w, b, stride=1, padding=1)
        record(h5, "conv2d_explicit", {"input": x, "weight": w, "bias": b}, out)

        # conv transpose, stride 2, k = 5, TF SAME 7 -> 14
        x, w, b = leaf(2, 3, 7, 7), leaf(3, 2, 5, 5), leaf(2)
        full = F.conv_transpose2d(x, w, b, stride=2)  # 17 x 17
        crop = max((7 - 1) * 2 + 5 - 14, 0) // 2
        out = full[:, :, crop:crop + 14, crop:crop + 14]
        record(h5, "convt_same", {"input": x, "weight": w, "bias": b}, out)

        # conv transpose, PyTorch padding=2, output_padding=1 (7 -> 14)
        x, w, b = leaf(2, 3, 7, 7), leaf(3, 2, 5, 5), leaf(2)
        out = F.conv_transpose2d(x, w, b, stride=2, padding=2, output_padding=1)
        record(h5, "convt_explicit", {"input": x, "weight": w, "bias": b}, out)

    with h5py.File(NORM_OUT, "w", libver="latest") as h5:
        # max pooling 2x2 stride 2 on distinct values (no ties)
        x = (torch.randperm(2 * 3 * 6 * 7).reshape(2, 3, 6, 7).double() / 50 - 2).requires_grad_(True)
        out = F.max_pool2d(x, 2, 2)
        record(h5, "maxpool", {"input": x}, out)

        # batch norm, conv layout, training mode; running stats start at 0 / 1
        x, gm, bt = leaf(4, 3, 5, 5, low=-2, high=3), leaf(3, low=0.5, high=1.5), leaf(3)
        rm, rv = torch.zeros(3), torch.ones(3)
        out = F.batch_norm(x, rm, rv, gm, bt, training=True, momentum=0.1, eps=1e-5)
        g = record(h5, "bn_conv_train", {"input": x, "gamma": gm, "beta": bt}, out)
        g["running_mean"] = rm.numpy().astype(np.float32)
        g["running_var"] = rv.numpy().astype(np.float32)

        # batch norm, conv layout, evaluation mode with given running stats
        x, gm, bt = leaf(4, 3, 5, 5, low=-2, high=3), leaf(3, low=0.5, high=1.5), leaf(3)
        rm, rv = torch.rand(3) - 0.5, torch.rand(3) + 0.5
        out = F.batch_norm(x, rm, rv, gm, bt, training=False, eps=1e-5)
        g = record(h5, "bn_conv_eval", {"input": x, "gamma": gm, "beta": bt}, out)
        g["running_mean"] = rm.numpy().astype(np.float32)
        g["running_var"] = rv.numpy().astype(np.float32)

        # batch norm, linear layout [N, F], training mode
        x, gm, bt = leaf(8, 5, low=-2, high=3), leaf(5, low=0.5, high=1.5), leaf(5)
        rm, rv = torch.zeros(5), torch.ones(5)
        out = F.batch_norm(x, rm, rv, gm, bt, training=True, momentum=0.1, eps=1e-5)
        g = record(h5, "bn_linear_train", {"input": x, "gamma": gm, "beta": bt}, out)
        g["running_mean"] = rm.numpy().astype(np.float32)
        g["running_var"] = rv.numpy().astype(np.float32)
    for path in (CONV_OUT, NORM_OUT):
        print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes), torch {torch.__version__}")


if __name__ == "__main__":
    main()
