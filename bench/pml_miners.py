# Times pytorch-metric-learning miners on torch's CPU backend with one thread, for the LOSSES
# workload (bench/losses-miners.ts), which drives this server case by case between its
# simlearn calls (protocol in bench/pml_bench.py). Usage:
#   PML_SRC=/tmp/pmlsrc/src /usr/bin/python3 bench/pml_miners.py <n> <d> <classes> data.f32
# A call's result is the tuple counts. Inputs: the n·d float32 values of data.f32 (simlearn's),
# labels i % classes; EmbeddingsAlreadyPackagedAsTriplets gets the first 3·⌊n/3⌋ rows (whole
# triples).
from pml_bench import base, labels, n, serve
from pytorch_metric_learning import miners


def make_step(name):
    m = n - n % 3 if name == "EmbeddingsAlreadyPackagedAsTriplets" else n
    emb, lab = base[:m], labels[:m]
    miner = getattr(miners, name)()
    return lambda: [len(x) for x in miner(emb, lab)]


serve(make_step)
