# Shared by bench/pml_losses.py and bench/pml_miners.py: reading the LOSSES workload's
# arguments and inputs, the timing loop, and the one-JSON-line report. Arguments:
#   <n> <d> <classes> '<cases json>' data.f32   (cases: [[name, reps], ...])
import keep_heap  # noqa: F401  (first: before torch allocates)
import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PML_SRC", "/tmp/pmlsrc/src"))
import torch  # noqa: E402

torch.set_num_threads(1)
n, d, classes, cases = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
with open(sys.argv[5], "rb") as f:
    base = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(n, d).clone()
labels = torch.arange(n) % classes


def timed(step, reps):
    """(median ms, reps, first result): at most reps calls of step (3 once they took 3 s); reps 0 times the first call alone."""
    t0 = time.perf_counter()
    first = step()
    times = [(time.perf_counter() - t0) * 1e3] if reps == 0 else []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
        if len(times) >= 3 and sum(times) > 3e3:  # slow calls: 3 reps and 3 s are enough
            break
    times.sort()
    return times[len(times) // 2], len(times), first


def report(time_case):
    """Runs time_case(name, reps) for every case and prints {name: result or {"error"}} as one JSON line."""
    out = {}
    for name, reps in cases:
        try:
            out[name] = time_case(name, reps)
        except Exception as e:  # noqa: BLE001 - one failing case must not hide the others
            out[name] = {"error": f"{type(e).__name__}: {e}"[:160]}
    print(json.dumps(out))
