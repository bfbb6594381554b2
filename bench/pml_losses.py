# Times pytorch-metric-learning losses (forward + backward) on torch's CPU backend with one
# thread, for the LOSSES workload (bench/losses-miners.ts), which runs this beside simlearn's
# same losses. Usage:
#   PML_SRC=/tmp/pmlsrc/src /usr/bin/python3 bench/pml_losses.py <n> <d> <classes> '<cases json>' data.f32
# cases: [[case, reps], ...], each case a name below; at most reps steps (3 once they took 3 s); reps 0 times the first call alone (PML's
# O(pairs²) losses take minutes per step at n 256). Inputs: the n·d float32 values of data.f32
# (the ones simlearn uses, so both values can be compared); the second view of the two-view
# losses is the same rows in reverse order; labels i % classes. Prints one JSON line
# {case: {"medianMs", "reps", "value"} or {"error"}}.
import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PML_SRC", "/tmp/pmlsrc/src"))
import torch  # noqa: E402
from pytorch_metric_learning import losses  # noqa: E402

torch.set_num_threads(1)
n, d, classes, cases = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
with open(sys.argv[5], "rb") as f:
    base = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(n, d).clone()
labels = torch.arange(n) % classes

KWARGS = {"RankedListLoss": {"margin": 0.4, "Tn": 1}, "ManifoldLoss": {"l": d}}


def build(case):
    """(loss, call(emb, ref)) for a case name."""
    if case == "CrossBatchMemory(ContrastiveLoss)":
        fn = losses.CrossBatchMemory(losses.ContrastiveLoss(), embedding_size=d, memory_size=1024)
        return lambda e, r: fn(e, labels)
    if case == "SelfSupervisedLoss(NTXentLoss)":
        fn = losses.SelfSupervisedLoss(losses.NTXentLoss())
        return lambda e, r: fn(e, r)
    if case == "MultipleLosses":
        fn = losses.MultipleLosses([losses.ContrastiveLoss(), losses.TripletMarginLoss()])
        return lambda e, r: fn(e, labels)
    fn = getattr(losses, case)(**KWARGS.get(case, {}))
    if case == "VICRegLoss":
        return lambda e, r: fn(e, ref_emb=r)
    if case == "ManifoldLoss":  # PML's ManifoldLoss takes no labels
        return lambda e, r: fn(e)
    return lambda e, r: fn(e, labels)


def time_case(case, reps):
    call = build(case)

    def step():
        # PML's DynamicSoftMarginLoss keeps its histogram in the autograd graph: a second call
        # on one instance fails in backward, so each step gets a fresh one.
        c = build(case) if case == "DynamicSoftMarginLoss" else call
        emb = base.clone().requires_grad_(True)
        ref = base.flip(0).clone().requires_grad_(True)
        value = c(emb, ref)
        value.backward()
        return value.item()

    t0 = time.perf_counter()
    value = step()
    times = [(time.perf_counter() - t0) * 1e3] if reps == 0 else []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
        if len(times) >= 3 and sum(times) > 3e3:  # slow steps: 3 reps and 3 s are enough
            break
    times.sort()
    return {"medianMs": times[len(times) // 2], "reps": len(times), "value": value}


out = {}
for case, reps in cases:
    try:
        out[case] = time_case(case, reps)
    except Exception as e:  # noqa: BLE001 - one failing case must not hide the others
        out[case] = {"error": f"{type(e).__name__}: {e}"[:160]}
print(json.dumps(out))
