#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Peer of bench_train: the Edge Impulse 1-D model, batch 32, Adam, one thread, synthetic
50x13 inputs with 12 classes, in Debian's python3-torch. Prints one JSON line: steps per
wall-clock second and per second of this process's CPU time."""
import json
import sys
import time

import torch
from torch import nn

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
torch.set_num_threads(1)
torch.manual_seed(1)


class EI1d(nn.Module):
    def __init__(self, classes=12):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(13, 8, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2, ceil_mode=True),
            nn.Dropout(0.25),
            nn.Conv1d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2, ceil_mode=True),
            nn.Dropout(0.25),
            nn.Flatten(), nn.Linear(16 * 13, classes))

    def forward(self, x):
        return self.body(x.reshape(x.shape[0], 50, 13).transpose(1, 2))


n, bs = 4096, 32
x = torch.randn(n, 650)
y = torch.randint(12, (n,))
net = EI1d()
net.train()
opt = torch.optim.Adam(net.parameters(), lr=0.005)
loss_fn = nn.CrossEntropyLoss()
perm = torch.randperm(n)
pos = 0


def step():
    global perm, pos
    if pos + bs > n:
        perm = torch.randperm(n)
        pos = 0
    idx = perm[pos:pos + bs]
    pos += bs
    xb, yb = x.index_select(0, idx), y.index_select(0, idx)
    opt.zero_grad()
    loss = loss_fn(net(xb), yb)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(50):
    step()
t0 = time.perf_counter()
c0 = time.process_time()
steps = 0
while True:
    for _ in range(50):
        step()
    steps += 50
    el = time.perf_counter() - t0
    if el >= seconds:
        break
cpu = time.process_time() - c0
params = sum(p.numel() for p in net.parameters())
print(json.dumps({"steps_per_s": steps / el, "steps_per_cpu_s": steps / max(cpu, 1e-9),
                  "params": params, "torch": torch.__version__}))
