"""The course's training loop in PyTorch, timed: the `train` benchmark's baseline.

usage: /usr/bin/python3 train_torch.py DATA_DIR ROWS FEATURES --threads N [--loader dataloader|index]
       [--epochs 50] [--batch-size 8] [--lr 1e-3]

DATA_DIR holds x.f32 (ROWS x FEATURES float32, row-major) and y.i32 (ROWS int32), written by scripts/bench/lib.ts.
The model is the course's 20-128-256-4 ReLU MLP, trained with SGD on cross-entropy, batches reshuffled every epoch.
`--loader dataloader` is the course's loop (torch.utils.data.DataLoader over a TensorDataset); `index` slices
batches from a shuffled index tensor, PyTorch's cheapest way to batch. Prints one JSON line: the seconds of the
training loop alone (imports and data loading excluded) and the last epoch's mean loss.
"""
import argparse
import json
import time

import numpy as np
import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("data")
parser.add_argument("rows", type=int)
parser.add_argument("features", type=int)
parser.add_argument("--threads", type=int, required=True)
parser.add_argument("--loader", choices=["dataloader", "index"], default="dataloader")
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--batch-size", type=int, default=8)
parser.add_argument("--lr", type=float, default=1e-3)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
x = torch.from_numpy(np.fromfile(f"{args.data}/x.f32", dtype=np.float32).reshape(args.rows, args.features))
y = torch.from_numpy(np.fromfile(f"{args.data}/y.i32", dtype=np.int32).astype(np.int64))
model = nn.Sequential(nn.Linear(args.features, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 4))
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
criterion = nn.CrossEntropyLoss()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)


def batches():
    if args.loader == "dataloader":
        yield from loader
    else:
        order = torch.randperm(args.rows)
        for start in range(0, args.rows, args.batch_size):
            rows = order[start : start + args.batch_size]
            yield x[rows], y[rows]


started = time.perf_counter()
model.train()
for epoch in range(args.epochs):
    total = 0.0
    for xb, yb in batches():
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "threads": torch.get_num_threads(), "loss": total / args.rows}))
