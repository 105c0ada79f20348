#!/usr/bin/python3
"""Plots bench_sparse.sh's CSV: time relative to ONNX Runtime (on the same
pruned model, 1 thread) against sparsity, one panel per model, with scnnc's
dense and sparse builds as lines and ONNX Runtime at 1.

usage: /usr/bin/python3 bench/plot_sparse.py [CSV] [PNG]
  defaults: docs/bench_sparse.csv, docs/img/sparse_speed.png
Needs python3-matplotlib (Debian)."""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")  # no display: write the file only
import matplotlib.pyplot as plt  # noqa: E402  (must follow use())

# The targets for ResNet-50: sparsity -> largest time relative to ORT.
RESNET50_TARGETS = {80: 0.5, 90: 0.33}


def load(path):
    """Rows grouped by model, in file order, each sorted by sparsity."""
    models = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            models.setdefault(row["model"], []).append(row)
    for rows in models.values():
        rows.sort(key=lambda r: float(r["sparsity"]))
    return models


def panel(ax, name, rows):
    pct = [100 * float(r["sparsity"]) for r in rows]
    ax.plot(pct, [float(r["dense_vs_ort"]) for r in rows], "o-", color="tab:gray",
            label="scnnc dense kernels (--sparse off)")
    ax.plot(pct, [float(r["sparse_vs_ort"]) for r in rows], "s-", color="tab:blue",
            label="scnnc sparse (--sparse auto)")
    ax.axhline(1.0, color="tab:red", linestyle="--", linewidth=1, label="ONNX Runtime, 1 thread")
    if name == "resnet50":
        ax.plot(list(RESNET50_TARGETS), list(RESNET50_TARGETS.values()), "v", color="tab:green",
                markersize=9, linestyle="none", label="target (ResNet-50)")
    ax.set_title(name)
    ax.set_yscale("log")
    ax.set_yticks([0.25, 0.33, 0.5, 1, 2, 3])
    ax.set_yticklabels(["0.25", "0.33", "0.5", "1", "2", "3"])
    ax.set_ylim(0.2, 3.5)
    ax.set_xticks(pct)
    ax.set_xlabel("weights pruned (%)")
    ax.set_ylabel("time / ONNX Runtime's")
    ax.grid(True, which="major", alpha=0.3)


def main():
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    csv_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(src, "docs", "bench_sparse.csv")
    png_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(src, "docs", "img", "sparse_speed.png")
    models = load(csv_path)
    if not models:
        sys.exit("plot_sparse.py: no rows in " + csv_path)
    cols = 2 if len(models) > 1 else 1
    rows = (len(models) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 4.2 * rows), squeeze=False)
    for ax, (name, model_rows) in zip(axes.flat, models.items()):
        panel(ax, name, model_rows)
    for ax in list(axes.flat)[len(models):]:
        ax.set_visible(False)
    handles = {}
    for ax in axes.flat:
        for h, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, h)
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=len(handles), frameon=False)
    fig.suptitle("Time relative to ONNX Runtime on the same pruned model (lower is faster)")
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    os.makedirs(os.path.dirname(png_path) or ".", exist_ok=True)
    fig.savefig(png_path, dpi=100)


if __name__ == "__main__":
    main()
