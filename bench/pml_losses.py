# Times pytorch-metric-learning losses (forward + backward) on torch's CPU backend with one
# thread, for the LOSSES workload (bench/losses-miners.ts), which runs this beside simlearn's
# same losses. Usage:
#   PML_SRC=/tmp/pmlsrc/src /usr/bin/python3 bench/pml_losses.py <n> <d> <classes> '<cases json>' data.f32
# cases: [[case, reps], ...], each case a name below; at most reps steps (3 once they took 3 s); reps 0 times the first call alone (PML's
# O(pairs²) losses take minutes per step at n 256). Inputs: the n·d float32 values of data.f32
# (the ones simlearn uses, so both values can be compared); the second view of the two-view
# losses is the same rows in reverse order; labels i % classes. Prints one JSON line
# {case: {"medianMs", "reps", "value"} or {"error"}}.
from pml_bench import base, d, labels, report, timed
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

    ms, reps, value = timed(step, reps)
    return {"medianMs": ms, "reps": reps, "value": value}


report(time_case)
