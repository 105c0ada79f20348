#!/usr/bin/python3
"""Exports torchvision classification models for the developers' zoo check
(tests/models/check_zoo.sh). They are too large to commit.

Random, seeded weights (weights=None), BatchNorm with random affine and
perturbed running statistics (zoo_common.randomize_batchnorm), input
1x3x224x224 (inception_v3: 1x3x299x299), opset 13. Each model goes to
OUT_DIR/NAME/model.onnx; check_zoo.sh makes the input and ONNX Runtime's
golden output itself.

usage: /usr/bin/python3 samples/zoo/make_torchvision.py [OUT_DIR] [NAME...]
       OUT_DIR defaults to /tmp/scnnc-zoo; NAMEs default to all of MODELS.
needs: Debian python3-torch (1.13), python3-torchvision, python3-onnx.
"""
import os
import sys

import torch
import torchvision.models as tvm

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import zoo_common as zc  # noqa: E402

OPSET = 13
SEED = 1234

# name: constructor arguments beyond weights=None. Ordered roughly by size.
MODELS = {
    "squeezenet1_1": {},
    "shufflenet_v2_x1_0": {},
    "mobilenet_v3_small": {},
    "mnasnet1_0": {},
    "mobilenet_v2": {},
    "regnet_y_400mf": {},
    "mobilenet_v3_large": {},
    "efficientnet_b0": {},
    "googlenet": {"aux_logits": False, "init_weights": False},
    "densenet121": {},
    "resnet18": {},
    "inception_v3": {"aux_logits": False, "init_weights": False},
    "resnet50": {},
    "alexnet": {},
    "vgg11": {},
}


def make(name, out_dir):
    zc.seed_all(SEED)
    model = getattr(tvm, name)(weights=None, **MODELS[name])
    side = 299 if name == "inception_v3" else 224
    example = torch.randn(1, 3, side, side)
    zc.randomize_batchnorm(model, example, SEED)
    path = os.path.join(out_dir, name, "model.onnx")
    zc.export(model, example, path, OPSET)
    # Random weights can make a network ill-conditioned (float32 rounding then
    # exceeds the checks' tolerance whatever the runtime): show how far
    # PyTorch's own float32 result is from float64, in units of the tolerance.
    x = torch.randn(example.shape, generator=torch.Generator().manual_seed(SEED + 1))
    with torch.no_grad():
        y32 = model(x)
        y64 = model.double()(x.double())
    tol = 1e-4 + 1e-3 * y64.abs()
    worst = ((y32.double() - y64).abs() / tol).max().item()
    print(f"{name:20s} {os.path.getsize(path) / 2**20:8.1f} MiB  output max |y| "
          f"{y64.abs().max().item():9.3g}  float32 error {worst:5.2f} x tolerance  {path}",
          flush=True)


def main(argv):
    out_dir = argv[0] if argv else "/tmp/scnnc-zoo"
    names = argv[1:] or list(MODELS)
    for n in names:
        if n not in MODELS:
            print(f"unknown model {n}; known: {' '.join(MODELS)}", file=sys.stderr)
            return 2
    for n in names:
        make(n, out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
