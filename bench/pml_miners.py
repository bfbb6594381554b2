# Times pytorch-metric-learning miners on torch's CPU backend with one thread, for
# bench/miners-pml.ts (which runs this beside simlearn's same miners and prints the ratio).
# Usage: PML_SRC=/tmp/pml/src /usr/bin/python3 bench/pml_miners.py <miner> <n> <d> <classes> <reps>
# Prints one JSON line {"miner", "medianMs", "reps", "tuples"}. Inputs are uniform(-1, 1) from a
# fixed seed; labels i % classes.
import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PML_SRC", "/tmp/pml/src"))
import torch  # noqa: E402
from pytorch_metric_learning import miners  # noqa: E402

torch.set_num_threads(1)
name, n, d, classes, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
g = torch.Generator().manual_seed(1)
emb = torch.rand(n, d, generator=g) * 2 - 1
labels = torch.arange(n) % classes
miner = getattr(miners, name)()
out = miner(emb, labels)  # warm-up
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    out = miner(emb, labels)
    times.append((time.perf_counter() - t0) * 1e3)
times.sort()
print(json.dumps({"miner": name, "medianMs": times[len(times) // 2], "reps": reps, "tuples": [len(x) for x in out]}))
