# Shared by bench/pml_losses.py and bench/pml_miners.py: the LOSSES workload's inputs, and a
# timing server the workload drives over stdin/stdout so that its simlearn and PML calls can
# alternate case by case (a phase of the shared host's load then reaches both sides).
# Arguments: <n> <d> <classes> data.f32. Once torch and PML are loaded it prints {"ready": true};
# then for each line [case, calls, budgetMs] it runs the case's step up to `calls` times,
# stopping early once the calls took budgetMs (always at least one), and prints one JSON line
# {"ms": [ms of each call], "out": what the first call returned} or {"error"}.
import keep_heap  # noqa: F401  (first: before torch allocates)
import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PML_SRC", "/tmp/pmlsrc/src"))
import torch  # noqa: E402

torch.set_num_threads(1)
n, d, classes = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
with open(sys.argv[4], "rb") as f:
    base = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(n, d).clone()
labels = torch.arange(n) % classes


def serve(make_step):
    """Answers the workload's commands; make_step(case) gives the call to time (built once per case)."""
    import pytorch_metric_learning  # noqa: F401  (a missing PML fails here, before "ready")

    print(json.dumps({"ready": True}), flush=True)
    built = (None, None)
    for line in sys.stdin:
        case, calls, budget = json.loads(line)
        try:
            if built[0] != case:
                built = (None, None)  # the previous case's tensors go first
                built = (case, make_step(case))
            step, times, out, spent = built[1], [], None, 0.0
            while len(times) < max(1, calls) and (not times or spent < budget):
                t0 = time.perf_counter()
                r = step()
                times.append((time.perf_counter() - t0) * 1e3)
                spent += times[-1]
                out = r if out is None else out
            reply = {"ms": times, "out": out}
        except Exception as e:  # noqa: BLE001 - one failing case must not end the others
            reply = {"error": f"{type(e).__name__}: {e}"[:160]}
        print(json.dumps(reply), flush=True)
