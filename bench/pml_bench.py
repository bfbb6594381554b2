# Shared by bench/pml_losses.py and bench/pml_miners.py: the LOSSES workload's inputs, and the
# timing server (bench/timing_server.py) started once torch and PML are loaded.
# Arguments: <n> <d> <classes> data.f32.
import keep_heap  # noqa: F401  (first: before torch allocates)
import os
import sys

import timing_server

sys.path.insert(0, os.environ.get("PML_SRC", "/tmp/pmlsrc/src"))
import torch  # noqa: E402

torch.set_num_threads(1)
n, d, classes = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
with open(sys.argv[4], "rb") as f:
    base = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(n, d).clone()
labels = torch.arange(n) % classes


def serve(make_step):
    """The timing server (bench/timing_server.py), once PML imports."""
    import pytorch_metric_learning  # noqa: F401  (a missing PML fails here, before "ready")

    timing_server.serve(make_step)
