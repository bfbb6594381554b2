# Times pytorch-metric-learning losses (forward + backward) on torch's CPU backend with one
# thread, for bench/losses-pml.ts (which runs this beside simlearn's same losses and prints the
# ratio). Usage:
#   PML_SRC=/tmp/pml/src /usr/bin/python3 bench/pml_losses.py <loss> <n> <d> <classes> <reps> '<kwargs json>' [data.f32]
# reps 0 times the first call alone. Prints one JSON line {"loss", "medianMs", "reps", "value"}. Inputs: the n·d float32 values of
# data.f32 (the ones simlearn uses, so both values can be compared), else uniform(-1, 1) from a
# fixed seed; labels i % classes.
import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PML_SRC", "/tmp/pml/src"))
import torch  # noqa: E402
from pytorch_metric_learning import losses  # noqa: E402

torch.set_num_threads(1)
name, n, d, classes, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
kwargs = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
if len(sys.argv) > 7:
    with open(sys.argv[7], "rb") as f:
        base = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(n, d).clone()
else:
    base = torch.rand(n, d, generator=torch.Generator().manual_seed(1)) * 2 - 1
labels = torch.arange(n) % classes
loss_fn = getattr(losses, name)(**kwargs)


def step():
    emb = base.clone().requires_grad_(True)
    value = loss_fn(emb, labels)
    value.backward()
    return value.item()


# reps 0: time one step, no warm-up (PML's O(pairs²) losses take minutes per step at n 256)
t0 = time.perf_counter()
value = step()
times = [(time.perf_counter() - t0) * 1e3] if reps == 0 else []
for _ in range(reps):
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1e3)
times.sort()
print(json.dumps({"loss": name, "medianMs": times[len(times) // 2], "reps": max(reps, 1), "value": value}))
