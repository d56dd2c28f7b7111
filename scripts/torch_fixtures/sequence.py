#!/usr/bin/env python3
"""Writes PyTorch reference fixtures for the sequence ops of the Swift engine.

Run where torch and h5py are installed (tests never need torch):
    python3 scripts/torch_fixtures/sequence.py [output_dir]
Default output: Tests/EngineTests/Fixtures/. Files (all float32 unless noted, our layouts):
  seq_lstm.h5        2-layer LSTM over [T, B, I] with per-sequence lengths and initial states
  seq_attention.h5   Luong attention (general score) with a source mask
  seq_softmax_ce.h5  softmax cross-entropy with padded tokens (ignore_index)
Each stores inputs, weights, outputs and the gradients of loss = sum(out * R) (+ state terms).
Weight layouts: our W_ih = torch weight_ih_l{k}.T [I, 4H], W_hh = weight_hh_l{k}.T [H, 4H],
bias = bias_ih + bias_hh [4H]; gate order i, f, g, o in both.
"""
import os
import sys

import h5py
import numpy as np
import torch

torch.manual_seed(0)
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "EngineTests", "Fixtures")


def put(f, name, t):
    a = t.detach().cpu().numpy() if torch.is_tensor(t) else np.asarray(t)
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    f.create_dataset(name, data=a)


def lstm_fixture(path):
    T, B, I, H, L = 5, 3, 3, 4, 2
    lstm = torch.nn.LSTM(I, H, num_layers=L)
    x = torch.randn(T, B, I, requires_grad=True)
    h0 = (0.5 * torch.randn(L, B, H)).requires_grad_()
    c0 = (0.5 * torch.randn(L, B, H)).requires_grad_()
    lengths = torch.tensor([5, 2, 4])
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
    out_p, (hn, cn) = lstm(packed, (h0, c0))
    out, _ = torch.nn.utils.rnn.pad_packed_sequence(out_p, total_length=T)
    r = torch.randn(T, B, H)
    rh = torch.randn(L, B, H)
    rc = torch.randn(L, B, H)
    loss = (out * r).sum() + (hn * rh).sum() + (cn * rc).sum()
    loss.backward()
    with h5py.File(path, "w") as f:
        put(f, "lstm/input", x)
        put(f, "lstm/lengths", lengths.numpy().astype(np.int64))
        put(f, "lstm/h0", h0)
        put(f, "lstm/c0", c0)
        put(f, "lstm/r_out", r)
        put(f, "lstm/r_h", rh)
        put(f, "lstm/r_c", rc)
        put(f, "lstm/output", out)
        put(f, "lstm/h_n", hn)
        put(f, "lstm/c_n", cn)
        put(f, "lstm/grad_input", x.grad)
        put(f, "lstm/grad_h0", h0.grad)
        put(f, "lstm/grad_c0", c0.grad)
        for k in range(L):
            wih = getattr(lstm, f"weight_ih_l{k}")
            whh = getattr(lstm, f"weight_hh_l{k}")
            bih = getattr(lstm, f"bias_ih_l{k}")
            bhh = getattr(lstm, f"bias_hh_l{k}")
            put(f, f"lstm/layer{k}.w_ih", wih.t())
            put(f, f"lstm/layer{k}.w_hh", whh.t())
            put(f, f"lstm/layer{k}.bias", bih + bhh)
            put(f, f"lstm/grad_layer{k}.w_ih", wih.grad.t())
            put(f, f"lstm/grad_layer{k}.w_hh", whh.grad.t())
            put(f, f"lstm/grad_layer{k}.bias", bih.grad)


def attention_fixture(path):
    Td, Te, B, H = 3, 4, 2, 5
    q = torch.randn(Td, B, H, requires_grad=True)
    m = torch.randn(Te, B, H, requires_grad=True)
    wa = (0.5 * torch.randn(H, H)).requires_grad_()
    wc = (0.5 * torch.randn(2 * H, H)).requires_grad_()
    mask = torch.tensor([[1.0, 1, 1, 1], [1, 1, 0, 0]])
    keys = m @ wa  # [Te, B, H]
    scores = torch.einsum("tbh,sbh->bts", q, keys)
    scores = scores.masked_fill(mask[:, None, :] == 0, float("-inf"))
    w = torch.softmax(scores, dim=-1)  # [B, Td, Te]
    ctx = torch.einsum("bts,sbh->tbh", w, m)
    out = torch.tanh(torch.cat([ctx, q], dim=-1) @ wc)
    r = torch.randn(Td, B, H)
    (out * r).sum().backward()
    with h5py.File(path, "w") as f:
        put(f, "attention/query", q)
        put(f, "attention/memory", m)
        put(f, "attention/mask", mask)
        put(f, "attention/w_a", wa)
        put(f, "attention/w_c", wc)
        put(f, "attention/r", r)
        put(f, "attention/output", out)
        put(f, "attention/weights", w)
        put(f, "attention/grad_query", q.grad)
        put(f, "attention/grad_memory", m.grad)
        put(f, "attention/grad_w_a", wa.grad)
        put(f, "attention/grad_w_c", wc.grad)


def softmax_ce_fixture(path):
    N, C = 7, 6
    logits = torch.randn(N, C, requires_grad=True)
    labels = torch.randint(0, C, (N,))
    mask = torch.tensor([1.0, 1, 0, 1, 1, 0, 1])
    target = labels.clone()
    target[mask == 0] = -100
    loss = torch.nn.functional.cross_entropy(logits, target, ignore_index=-100)
    loss.backward()
    with h5py.File(path, "w") as f:
        put(f, "ce/logits", logits)
        put(f, "ce/labels", labels.numpy().astype(np.int64))
        put(f, "ce/mask", mask)
        put(f, "ce/loss", loss.reshape([]))
        put(f, "ce/grad_logits", logits.grad)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    lstm_fixture(os.path.join(OUT, "seq_lstm.h5"))
    attention_fixture(os.path.join(OUT, "seq_attention.h5"))
    softmax_ce_fixture(os.path.join(OUT, "seq_softmax_ce.h5"))
    for name in ("seq_lstm.h5", "seq_attention.h5", "seq_softmax_ce.h5"):
        print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")
