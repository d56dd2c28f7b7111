#!/usr/bin/env python3
"""Regenerates every PyTorch reference fixture in Tests/EngineTests/Fixtures/.

Runs scripts/torch_fixtures/conv.py (conv2d, transposed conv 'SAME' stride 2, max pooling,
batch norm) and scripts/torch_fixtures/sequence.py (LSTM, Luong attention, masked softmax
cross-entropy). Needs torch==2.13.0+cpu, numpy and h5py, for example:

    python3 -m venv .venv-torch && .venv-torch/bin/pip install "torch==2.13.0+cpu" numpy h5py
    .venv-torch/bin/python scripts/make_torch_fixtures.py

The Swift tests only read the committed fixture files and never need torch.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import torch  # noqa: F401
except ImportError:
    sys.exit("make_torch_fixtures: torch is not installed in this Python (pip install 'torch==2.13.0+cpu' numpy h5py)")

for name in ("conv.py", "sequence.py"):
    script = os.path.join(HERE, "torch_fixtures", name)
    print(f"running {script}")
    subprocess.run([sys.executable, script], check=True)
