"""PyTorch inference baselines for the `predict` and `conv` benchmarks, timed in microseconds per call.

usage: /usr/bin/python3 infer_torch.py predict FEATURES ROWS... --threads N
       /usr/bin/python3 infer_torch.py conv --threads N

predict: the course's 20-128-256-4 ReLU MLP in eval mode under no_grad, from a float32 NumPy array of ROWS rows to
softmax probabilities and each row's class (what Bundle.predictRows computes). conv: 1x3x224x224 through
conv2d(3->4, kernel 3, stride 2) and max_pool2d(2). Prints one JSON object {case: median microseconds per call}.
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("mode", choices=["predict", "conv"])
parser.add_argument("sizes", type=int, nargs="*")
parser.add_argument("--threads", type=int, required=True)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)


def micros_per_call(fn, calls, rounds=7):
    """The median over rounds of the mean time per call, after a warm-up round (as scripts/bench/lib.ts)."""
    for _ in range(calls):
        fn()
    per_call = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        per_call.append((time.perf_counter() - started) * 1e6 / calls)
    return float(np.median(per_call))


results = {}
with torch.no_grad():
    if args.mode == "predict":
        features, *row_counts = args.sizes
        model = nn.Sequential(nn.Linear(features, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 4))
        model.eval()
        for rows in row_counts:
            x = (np.arange(rows * features, dtype=np.float32) % 7 - 3).reshape(rows, features)

            def predict():
                probabilities = torch.softmax(model(torch.from_numpy(x)), dim=1)
                return probabilities.argmax(dim=1), probabilities

            results[rows] = micros_per_call(predict, 300 if rows > 1 else 2000)
    else:
        image = torch.rand(1, 3, 224, 224)
        weight, bias = torch.rand(4, 3, 3, 3) - 0.5, torch.rand(4) - 0.5
        results["conv+pool"] = micros_per_call(lambda: F.max_pool2d(F.conv2d(image, weight, bias, stride=2), 2), 200)
print(json.dumps(results))
