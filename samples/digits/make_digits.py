#!/usr/bin/python3
"""Trains the digits sample and writes everything the sample and the tests use.

Data: scikit-learn's bundled digits set (sklearn.datasets.load_digits: 1,797
8x8 grey images, values 0..16), scaled to 0..1 by dividing by 16. A seeded
split keeps 360 images aside as the test set.

Model: Conv(1->8, 3x3, pad 1) + BatchNorm + Relu, Conv(8->16, 3x3, pad 1) +
BatchNorm + Relu, MaxPool 2x2, Flatten, Linear(256 -> 10). About 4k weights.
Training is seeded and deterministic (one thread, deterministic algorithms),
so rerunning this script gives the same weights on the same torch build.

Writes, next to this script:
  digits.onnx            opset 13, input "image" 1x1x8x8 float32, output "logits" 1x10
  test_images.bin        float32 little-endian, N x 1 x 8 x 8, scaled as in training
  test_labels.bin        uint8, N labels
  test_predictions.bin   uint8, PyTorch's predicted class for each test image
  test_data_set_K/       input_0.pb / output_0.pb for test images K = 0, 1, 2: the
                         golden logits come from PyTorch, not from scnnc
  accuracy.txt           PyTorch's accuracy on the test set (run.sh compares with it)

Expected: about 98-99% test accuracy in PyTorch (99.17%, 357 of 360, with
Debian 12's torch 1.13 and scikit-learn 1.2).
Run with Debian's /usr/bin/python3 (python3-torch, python3-sklearn, python3-onnx).
"""
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240611
N_TEST = 360
EPOCHS = 30
N_GOLDEN_SETS = 3


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2))
        self.classifier = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def load_data():
    digits = load_digits()
    x = (digits.images.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    return train_test_split(x, y, test_size=N_TEST, random_state=SEED % (2**31),
                            stratify=y)


def train(model, x, y):
    gen = torch.Generator().manual_seed(SEED)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(xt), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if epoch % 10 == 9:
            print(f"epoch {epoch + 1}: loss {total / len(xt):.4f}")


def write_pb(tensor, name, path):
    t = onnx.numpy_helper.from_array(np.ascontiguousarray(tensor), name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    x_train, x_test, y_train, y_test = load_data()
    model = DigitsNet()
    train(model, x_train, y_train)
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    correct = int((logits.argmax(1) == y_test).sum())
    acc = 100.0 * correct / len(y_test)
    print(f"PyTorch test accuracy: {acc:.2f}% ({correct}/{len(y_test)})")

    onnx_path = os.path.join(HERE, "digits.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), onnx_path, opset_version=13,
                      input_names=["image"], output_names=["logits"])
    onnx.checker.check_model(onnx.load(onnx_path))

    x_test.astype("<f4").tofile(os.path.join(HERE, "test_images.bin"))
    y_test.astype(np.uint8).tofile(os.path.join(HERE, "test_labels.bin"))
    logits.argmax(1).astype(np.uint8).tofile(os.path.join(HERE, "test_predictions.bin"))
    for k in range(N_GOLDEN_SETS):
        d = os.path.join(HERE, f"test_data_set_{k}")
        os.makedirs(d, exist_ok=True)
        write_pb(x_test[k:k + 1], "image", os.path.join(d, "input_0.pb"))
        write_pb(logits[k:k + 1], "logits", os.path.join(d, "output_0.pb"))
    with open(os.path.join(HERE, "accuracy.txt"), "w") as f:
        f.write(f"{acc:.2f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
