"""Shared by make_zoo.py and make_torchvision.py: seeding, BatchNorm statistics
that are not the identity, ONNX export, and golden outputs from ONNX Runtime.

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-onnx).
"""
import os
import subprocess

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORT_RUN = os.path.join(ROOT, "bench", "ort", "run.js")


def seed_all(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(1)


def randomize_batchnorm(model, example, seed):
    """Gives every BatchNorm a random affine (weight, bias) and running
    statistics that are neither 0/1 nor exact. One eval-mode pass over a
    random batch calibrates them in forward order: just before each BatchNorm
    runs, its input's mean and variance are measured (every earlier BatchNorm
    is already final) and perturbed (the mean by 0.1 of the channel's spread,
    the variance by a factor 0.75..1.25). Measuring in eval mode keeps the
    perturbations from compounding through deep networks, so activations stay
    in a sane range. No BatchNorm is then the identity, so a compiler that
    folds or drops one wrongly is caught."""
    gen = torch.Generator().manual_seed(seed)
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    model.eval()
    n = 32 if example.numel() < 100000 else 8
    batch = torch.randn((n,) + tuple(example.shape[1:]), generator=gen)

    def calibrate(bn, inputs):
        x = inputs[0].double()
        dims = [d for d in range(x.dim()) if d != 1]
        mean = x.mean(dim=dims).float()
        var = x.var(dim=dims, unbiased=False).float()
        c = bn.num_features
        bn.weight.copy_(torch.rand(c, generator=gen) + 0.5)
        bn.bias.copy_(torch.randn(c, generator=gen) * 0.1)
        bn.running_mean.copy_(mean + torch.randn(c, generator=gen) * 0.1 * var.sqrt())
        bn.running_var.copy_(var * (torch.rand(c, generator=gen) * 0.5 + 0.75))

    hooks = [bn.register_forward_pre_hook(calibrate) for bn in bns]
    try:
        with torch.no_grad():
            model(batch)
    finally:
        for h in hooks:
            h.remove()


def export(model, example, path, opset, input_names=("input",), output_names=("output",)):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, example, path, opset_version=opset,
                          input_names=list(input_names), output_names=list(output_names),
                          do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def write_pb(array, name, path):
    t = onnx.numpy_helper.from_array(np.ascontiguousarray(array), name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def read_pb(path):
    return onnx.numpy_helper.to_array(onnx.load_tensor(path))


def ort_golden(model_path, data_dir):
    """ONNX Runtime (bench/ort/run.js, one thread) writes data_dir/output_K.pb
    from data_dir/input_K.pb."""
    subprocess.run(["node", ORT_RUN, model_path, data_dir, data_dir], check=True)
