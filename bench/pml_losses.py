# Times pytorch-metric-learning losses (forward + backward) on torch's CPU backend with one
# thread, for the LOSSES workload (bench/losses-miners.ts), which drives this server case by
# case between its simlearn calls (protocol in bench/pml_bench.py). Usage:
#   PML_SRC=/tmp/pmlsrc/src /usr/bin/python3 bench/pml_losses.py <n> <d> <classes> data.f32
# Each case is a name below; a call's result is the loss value. Inputs: the n·d float32 values
# of data.f32 (the ones simlearn uses, so both values can be compared); the second view of the
# two-view losses is the same rows in reverse order; labels i % classes.
from pml_bench import base, d, labels, serve
from pytorch_metric_learning import losses

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


def make_step(case):
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

    return step


serve(make_step)
