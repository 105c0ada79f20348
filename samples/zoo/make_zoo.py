#!/usr/bin/python3
"""Exports the small zoo models (zoo_models.py) with random, seeded weights and
writes each as samples/zoo/NAME/model.onnx + test_data_set_0/{input,output}_0.pb.

The golden output_0.pb comes from ONNX Runtime (bench/ort/run.js, one
thread); this script also runs the model in PyTorch and stops if the two
disagree beyond 1e-4 + 1e-3 * |x|. Golden outputs never come from scnnc.

usage: /usr/bin/python3 samples/zoo/make_zoo.py [NAME...]
needs: Debian python3-torch (1.13) and python3-onnx; node with ONNX Runtime
installed in bench/ (cd bench && npm install --ignore-scripts).
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import zoo_common as zc  # noqa: E402
import zoo_models as zm  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# name: (constructor, input shape, opset, seed)
MODELS = {
    "ad_autoencoder": (zm.FcAutoencoder, (1, 640), 13, 101),
    "ds_cnn_kws": (zm.DsCnn, (1, 1, 49, 10), 14, 102),
    "mobilenet_v1_025_vww": (zm.MobileNetV1, (1, 3, 96, 96), 15, 103),
    "resnet8_cifar": (zm.ResNet8, (1, 3, 32, 32), 16, 104),
    # Opset 13 spells LayerNorm out (ReduceMean, Sub, Pow, Sqrt, Div...);
    # opset 17 exports it as one LayerNormalization node.
    "transformer_tiny_op13": (zm.TinyTransformer, (1, 16, 64), 13, 105),
    "transformer_tiny_op17": (zm.TinyTransformer, (1, 16, 64), 17, 105),
    "lstm_tagger": (zm.LstmTagger, (1, 20, 16), 14, 106),
}


def randomize_layernorm(model, seed):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)


def make(name):
    ctor, shape, opset, seed = MODELS[name]
    zc.seed_all(seed)
    model = ctor()
    example = torch.randn(shape)
    zc.randomize_batchnorm(model, example, seed)
    randomize_layernorm(model, seed)
    model.eval()
    folder = os.path.join(HERE, name)
    path = os.path.join(folder, "model.onnx")
    zc.export(model, example, path, opset)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed + 1000))
    zc.write_pb(x.numpy(), "input", os.path.join(data, "input_0.pb"))
    zc.ort_golden(path, data)
    with torch.no_grad():
        want = model(x).numpy()
    got = zc.read_pb(os.path.join(data, "output_0.pb"))
    err = np.abs(got - want) - (1e-4 + 1e-3 * np.abs(want))
    status = "ok" if got.shape == want.shape and err.max() <= 0 else "MISMATCH"
    print(f"{name:24s} opset {opset}  {os.path.getsize(path) / 1024:7.1f} KiB  "
          f"ORT vs PyTorch max |diff| {np.abs(got - want).max():.2e}  {status}")
    return status == "ok"


def main(names):
    ok = all([make(n) for n in (names or MODELS)])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
