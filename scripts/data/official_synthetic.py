#!/usr/bin/env python3
"""The regression and classification datasets exactly as the official AutoLoss code draws them.

Re-implements the data-drawing steps of the official generators (dataio/gen_reg_data.py and
dataio/gen_cls_data.py of the released code, with the sizes of config/reg and config/cls), from
reading them; nothing is copied:

  regression:      np.random.seed(1); w = rand(16) - 0.5; then for each partition in order
                   (train_ctrl, valid_ctrl, train_task, valid_task, test; 200 each) and each sample
                   in order: x = 10 * (rand(16) - 0.5), y = x.w + normal(loc=0, scale=2).
  classification:  np.random.seed(seed); sklearn make_classification(n_samples=3400,
                   n_features=32, n_informative=2, n_clusters_per_class=2, n_redundant=2) with the
                   global RandomState (random_state=None), cut in order into 200/1000/200/1000/1000.
                   seed 1 is the main dataset; other seeds are the transfer datasets (Table 2).

Writes CSV files with full float64 precision (repr), one row per sample:
  OUT/regression/<split>.csv            x0..x15,y
  OUT/regression/true_w.csv             w0..w15
  OUT/classification-seed<N>/<split>.csv   x0..x31,label
  OUT/SOURCE.txt                        versions of numpy and scikit-learn, noise floors

usage: official_synthetic.py OUT [--classification-seeds 1,2,3,4]
"""

import argparse
import os
import sys

import numpy as np

SPLITS = ["controller_train", "controller_validation", "task_train", "task_validation", "test"]
REG_SIZES = [200, 200, 200, 200, 200]
REG_DIM = 16
REG_NOISE_SCALE = 2.0
CLS_SIZES = [200, 1000, 200, 1000, 1000]
CLS_DIM = 32


def regression():
    """Returns (w, [(x, y) per split]) drawn as the official generator draws them."""
    np.random.seed(1)
    w = np.random.rand(REG_DIM) - 0.5
    splits = []
    for n in REG_SIZES:
        xs, ys = [], []
        for _ in range(n):
            x = 10 * (np.random.rand(REG_DIM) - 0.5)
            y = np.dot(x, w) + np.random.normal(loc=0, scale=REG_NOISE_SCALE)
            xs.append(x)
            ys.append(y)
        splits.append((np.array(xs), np.array(ys)))
    return w, splits


def classification(seed):
    """Returns [(x, labels) per split] from one make_classification draw on the global RandomState."""
    import sklearn.datasets as d

    np.random.seed(seed)
    x, y = d.make_classification(
        n_samples=sum(CLS_SIZES), n_features=CLS_DIM, n_informative=2, n_clusters_per_class=2, n_redundant=2
    )
    out, start = [], 0
    for n in CLS_SIZES:
        out.append((x[start : start + n], y[start : start + n]))
        start += n
    return out


def write_csv(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(repr(float(v)) if not isinstance(v, (int, np.integer)) else str(int(v)) for v in row))
            f.write("\n")
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--classification-seeds", default="1,2,3,4")
    args = parser.parse_args()
    seeds = [int(s) for s in args.classification_seeds.split(",") if s]

    lines = []
    w, splits = regression()
    reg_dir = os.path.join(args.out, "regression")
    os.makedirs(reg_dir, exist_ok=True)
    write_csv(os.path.join(reg_dir, "true_w.csv"), [f"w{j}" for j in range(REG_DIM)], [w])
    header = [f"x{j}" for j in range(REG_DIM)] + ["y"]
    for name, (x, y) in zip(SPLITS, splits):
        write_csv(os.path.join(reg_dir, name + ".csv"), header, [list(r) + [t] for r, t in zip(x, y)])
        floor = float(np.mean(np.square(y - x.dot(w))))
        lines.append(f"regression {name}: {len(y)} samples, noise-floor MSE (true w) {floor:.4f}")

    header = [f"x{j}" for j in range(CLS_DIM)] + ["label"]
    for seed in seeds:
        cls_dir = os.path.join(args.out, f"classification-seed{seed}")
        os.makedirs(cls_dir, exist_ok=True)
        for name, (x, y) in zip(SPLITS, classification(seed)):
            write_csv(os.path.join(cls_dir, name + ".csv"), header, [list(r) + [int(t)] for r, t in zip(x, y)])
        lines.append(f"classification seed {seed}: 3400 samples, class 1 share {float(np.mean(y)):.3f} (test split)")

    import sklearn

    with open(os.path.join(args.out, "SOURCE.txt"), "w") as f:
        f.write(
            "source: the official AutoLoss generators' steps (dataio/gen_reg_data.py, dataio/gen_cls_data.py, "
            "config/reg and config/cls sizes) re-run by scripts/data/official_synthetic.py\n"
        )
        f.write(f"python {sys.version.split()[0]}, numpy {np.__version__}, scikit-learn {sklearn.__version__}\n")
        for line in lines:
            f.write(line + "\n")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
