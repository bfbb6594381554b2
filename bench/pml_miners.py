# Times pytorch-metric-learning miners on torch's CPU backend with one thread, for the LOSSES
# workload (bench/losses-miners.ts), which runs this beside simlearn's same miners. Usage:
#   PML_SRC=/tmp/pmlsrc/src /usr/bin/python3 bench/pml_miners.py <n> <d> <classes> '<cases json>' data.f32
# cases: [[miner, reps], ...]: at most reps calls (3 once they took 3 s); reps 0 times the first call alone. Inputs: the n·d float32
# values of data.f32 (simlearn's), labels i % classes; EmbeddingsAlreadyPackagedAsTriplets
# gets the first 3·⌊n/3⌋ rows (whole triples). Prints one JSON line
# {miner: {"medianMs", "reps", "tuples"} or {"error"}}.
from pml_bench import base, labels, n, report, timed
from pytorch_metric_learning import miners


def time_case(name, reps):
    m = n - n % 3 if name == "EmbeddingsAlreadyPackagedAsTriplets" else n
    emb, lab = base[:m], labels[:m]
    miner = getattr(miners, name)()
    ms, reps, out = timed(lambda: miner(emb, lab), reps)
    return {"medianMs": ms, "reps": reps, "tuples": [len(x) for x in out]}


report(time_case)
