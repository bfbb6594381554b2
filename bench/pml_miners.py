# Times pytorch-metric-learning miners on torch's CPU backend with one thread, for the LOSSES
# workload (bench/losses-miners.ts), which runs this beside simlearn's same miners. Usage:
#   PML_SRC=/tmp/pmlsrc/src /usr/bin/python3 bench/pml_miners.py <n> <d> <classes> '<cases json>' data.f32
# cases: [[miner, reps], ...]: at most reps calls (3 once they took 3 s); reps 0 times the first call alone. Inputs: the n·d float32
# values of data.f32 (simlearn's), labels i % classes; EmbeddingsAlreadyPackagedAsTriplets
# gets the first 3·⌊n/3⌋ rows (whole triples). Prints one JSON line
# {miner: {"medianMs", "reps", "tuples"} or {"error"}}.
import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PML_SRC", "/tmp/pmlsrc/src"))
import torch  # noqa: E402
from pytorch_metric_learning import miners  # noqa: E402

torch.set_num_threads(1)
n, d, classes, cases = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
with open(sys.argv[5], "rb") as f:
    base = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(n, d).clone()
labels = torch.arange(n) % classes


def time_case(name, reps):
    m = n - n % 3 if name == "EmbeddingsAlreadyPackagedAsTriplets" else n
    emb, lab = base[:m], labels[:m]
    miner = getattr(miners, name)()
    t0 = time.perf_counter()
    out = miner(emb, lab)
    times = [(time.perf_counter() - t0) * 1e3] if reps == 0 else []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = miner(emb, lab)
        times.append((time.perf_counter() - t0) * 1e3)
        if len(times) >= 3 and sum(times) > 3e3:  # slow calls: 3 reps and 3 s are enough
            break
    times.sort()
    return {"medianMs": times[len(times) // 2], "reps": len(times), "tuples": [len(x) for x in out]}


out = {}
for name, reps in cases:
    try:
        out[name] = time_case(name, reps)
    except Exception as e:  # noqa: BLE001 - one failing case must not hide the others
        out[name] = {"error": f"{type(e).__name__}: {e}"[:160]}
print(json.dumps(out))
