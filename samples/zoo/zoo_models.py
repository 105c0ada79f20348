"""The small models of the zoo, written in PyTorch.

Four re-create the MLPerf Tiny reference models (anomaly detection,
keyword spotting, visual wake words, image classification); two more cover
attention and recurrence. Weights are random (seeded by the caller)."""
import math

import torch
import torch.nn as nn


class FcAutoencoder(nn.Module):
    """MLPerf Tiny anomaly detection (ToyADMOS): 640 -> 128 x4 -> 8 -> 128 x4
    -> 640, each hidden Dense followed by BatchNorm and ReLU. BatchNorm1d after
    a Linear stays a BatchNormalization node in the ONNX graph."""

    def __init__(self):
        super().__init__()
        dims = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128]
        layers = []
        for a, b in zip(dims, dims[1:]):
            layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU()]
        layers.append(nn.Linear(128, 640))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def conv_bn_relu(cin, cout, k, stride=1, padding=0, groups=1):
    return [nn.Conv2d(cin, cout, k, stride, padding, groups=groups, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU()]


class DsCnn(nn.Module):
    """MLPerf Tiny keyword spotting: DS-CNN on 49x10 MFCC features, 12
    classes. A 10x4 stride-2 convolution, four depthwise-separable blocks of
    64 channels, global average pooling and a classifier."""

    def __init__(self, width=64, classes=12):
        super().__init__()
        layers = conv_bn_relu(1, width, (10, 4), 2, (5, 1))
        for _ in range(4):
            layers += conv_bn_relu(width, width, 3, 1, 1, groups=width)
            layers += conv_bn_relu(width, width, 1)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


class MobileNetV1(nn.Module):
    """MLPerf Tiny visual wake words: MobileNetV1 with width multiplier 0.25
    on 96x96 RGB, 2 classes. ReLU6 activations as in the reference."""

    CFG = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, alpha=0.25, classes=2):
        super().__init__()

        def block(cin, cout, k, stride, groups):
            return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
                    nn.BatchNorm2d(cout), nn.ReLU6()]

        c = int(32 * alpha)
        layers = block(3, c, 3, 2, 1)
        for width, stride in self.CFG:
            out = int(width * alpha)
            layers += block(c, c, 3, stride, c) + block(c, out, 1, 1, 1)
            c = out
        self.features = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d(3)  # 3x3 feature map at 96x96 input
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn_relu(cin, cout, 3, stride, 1),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(cout))
        self.skip = nn.Identity() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.body(x) + self.skip(x))


class ResNet8(nn.Module):
    """MLPerf Tiny image classification: ResNet-8 for CIFAR-10 (32x32 RGB):
    a 16-channel stem and three residual stages of 16, 32 and 64 channels."""

    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn_relu(3, 16, 3, 1, 1))
        self.stages = nn.Sequential(ResBlock(16, 16, 1), ResBlock(16, 32, 2),
                                    ResBlock(32, 64, 2))
        self.pool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.stages(self.stem(x))), 1))


def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


class EncoderLayer(nn.Module):
    """Pre-LayerNorm transformer encoder layer with the attention written out
    (torch 1.13 cannot export nn.TransformerEncoderLayer in eval mode)."""

    def __init__(self, d_model, heads, d_ff):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        b, s, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        q = q.reshape(b, s, h, d // h).transpose(1, 2)
        k = k.reshape(b, s, h, d // h).transpose(1, 2)
        v = v.reshape(b, s, h, d // h).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // h), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, s, d)
        x = x + self.proj(y)
        return x + self.ff2(gelu_erf(self.ff1(self.ln2(x))))


class TinyTransformer(nn.Module):
    """Two encoder layers, d_model 64, 4 heads, feed-forward 256, on a
    sequence of 16 tokens of 64 features; a final LayerNorm."""

    def __init__(self, d_model=64, heads=4, d_ff=256, layers=2):
        super().__init__()
        self.pos = nn.Parameter(torch.randn(1, 16, d_model) * 0.1)
        self.layers = nn.Sequential(*[EncoderLayer(d_model, heads, d_ff) for _ in range(layers)])
        self.ln = nn.LayerNorm(d_model)

    def forward(self, x):
        return self.ln(self.layers(x + self.pos))


class LstmTagger(nn.Module):
    """A two-layer LSTM (input 16, hidden 32, batch first) over 20 steps and
    a Linear layer mapping every step's hidden state to 10 classes."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(16, 32, num_layers=2, batch_first=True)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(y)
