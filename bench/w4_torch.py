"""PyTorch peer of the W4 triplet training step (bench/w4-train-step.ts), for bench/threads.ts.

The same network, loss and optimiser: conv3x3(1->32, pad 1)+ReLU+maxpool2 -> conv3x3(32->64,
pad 1)+ReLU+maxpool2 -> flatten -> Linear(3136->128) -> L2-normalise on a batch of 192
1x28x28 images (anchors, positives, negatives in thirds); triplet margin loss 0.2 on Euclidean
distances, mean over the non-zero terms (PML's TripletMarginLoss with AvgNonZeroReducer);
SGD lr 0.01; zero_grad, forward, backward, step, loss.item() per step.
A server so that a benchmark can interleave it with its own measurements: each stdin line
"<threads> <steps>" runs 2 warm-up steps and <steps> timed steps under
torch.set_num_threads(<threads>) and prints {"threads", "steps", "ms": [...]} on one line.
  /usr/bin/python3 bench/w4_torch.py
PyTorch gets its best CPU setting for this network: channels-last tensors (oneDNN convolutions
and pooling without layout reorders; about 1.2x faster here than NCHW). And glibc's malloc keeps
freed memory (bench/keep_heap.py).
"""
import keep_heap  # noqa: F401  (first: before torch allocates)
import json
import sys
import time

import torch

torch.manual_seed(0)
B = 64
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(3136, 128),
)
net = net.to(memory_format=torch.channels_last)
opt = torch.optim.SGD(net.parameters(), lr=0.01)
x = torch.rand(3 * B, 1, 28, 28, generator=torch.Generator().manual_seed(31)).contiguous(memory_format=torch.channels_last)


def step():
    opt.zero_grad()
    e = torch.nn.functional.normalize(net(x), dim=1)
    a, p, n = e[:B], e[B:2 * B], e[2 * B:]
    terms = torch.relu(torch.norm(a - p, dim=1) - torch.norm(a - n, dim=1) + 0.2)
    nonzero = (terms > 0).sum()
    loss = terms.sum() / nonzero.clamp(min=1)
    loss.backward()
    opt.step()
    return loss.item()


print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
for line in sys.stdin:
    threads, steps = (int(v) for v in line.split())
    torch.set_num_threads(threads)
    for _ in range(2):
        step()
    ms = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1e3)
    print(json.dumps({"threads": threads, "steps": steps, "ms": ms}), flush=True)
