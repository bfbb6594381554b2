# The metric-learn side of bench/learners.ts: fits the same learners with the same options on
# the same data (the 600-digit subset of test/fixtures/metric-learn/learners.jsonl) and prints
# {"task": median seconds} as JSON. Run by bench/learners.ts with OMP/OPENBLAS/MKL threads = 1
# and PYTHONPATH pointing at a metric-learn checkout (METRIC_LEARN_PATH).
import json
import statistics
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import metric_learn as ml  # noqa: E402

fixture, reps_arg = sys.argv[1], int(sys.argv[2])
cases = [json.loads(l) for l in open(fixture)]
D = next(c for c in cases if c.get("kind") == "dataset" and c.get("name") == "digits")
X = np.array(D["X"], dtype=float)
y = np.array(D["y"])
P = next(c for c in cases if c.get("kind") == "pairs" and c.get("data") == "digits")
Xtr = X[D["train"]]
pairs = Xtr[np.array(P["pairs"])]
py = np.array(P["y"])

TASKS = {
    "NCA maxIter 20": lambda: ml.NCA(max_iter=20).fit(X, y),
    "LMNN maxIter 30": lambda: ml.LMNN(max_iter=30).fit(X, y),
    "ITML maxIter 10, 2000 pairs": lambda: ml.ITML(max_iter=10).fit(pairs, py),
    "MMC maxIter 3, 2000 pairs": lambda: ml.MMC(max_iter=3).fit(pairs, py),
    "MLKR maxIter 20": lambda: ml.MLKR(max_iter=20).fit(X, y.astype(float)),
    "LFDA": lambda: ml.LFDA().fit(X[:, X.std(0) > 0], y),
}
out = {}
for name, fn in TASKS.items():
    ts = []
    for _ in range(reps_arg):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    out[name] = statistics.median(ts)
    print(name, out[name], file=sys.stderr, flush=True)
print(json.dumps(out))
