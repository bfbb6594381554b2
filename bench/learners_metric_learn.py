# The metric-learn side of bench/learners.ts. Two modes:
#   learners_metric_learn.py FIXTURE --dump-digits
#       prints scikit-learn's full digits set (1797 × 64) as JSON {"X": [...], "y": [...]}, so
#       both sides fit the same data without committing it;
#   learners_metric_learn.py FIXTURE --serve DATA
#       the timing server of bench/timing_server.py over the tasks below, on DATA ("full":
#       load_digits; "fixture": the 600-digit subset of test/fixtures/metric-learn/learners.jsonl).
# The pairs for ITML and MMC are always the fixture's 2000 training pairs. Run by
# bench/learners.ts with OMP/OPENBLAS/MKL threads = 1 and PYTHONPATH pointing at a
# metric-learn checkout (METRIC_LEARN_PATH).
import keep_heap  # noqa: F401  (first: before numpy allocates)
import json
import sys
import warnings

import numpy as np

import timing_server

warnings.filterwarnings("ignore")

fixture = sys.argv[1]
if sys.argv[2] == "--dump-digits":
    from sklearn.datasets import load_digits

    Xd, yd = load_digits(return_X_y=True)
    print(json.dumps({"X": Xd.astype(int).tolist(), "y": yd.tolist()}))
    sys.exit(0)

import metric_learn as ml  # noqa: E402

data = sys.argv[3]
cases = [json.loads(l) for l in open(fixture)]
D = next(c for c in cases if c.get("kind") == "dataset" and c.get("name") == "digits")
P = next(c for c in cases if c.get("kind") == "pairs" and c.get("data") == "digits")
Xf = np.array(D["X"], dtype=float)
pairs = Xf[D["train"]][np.array(P["pairs"])]
py = np.array(P["y"])
if data == "full":
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X.astype(float)
else:
    X, y = Xf, np.array(D["y"])

TASKS = {
    "NCA maxIter 20": lambda: ml.NCA(max_iter=20).fit(X, y),
    "LMNN maxIter 30": lambda: ml.LMNN(max_iter=30).fit(X, y),
    "ITML maxIter 10, 2000 pairs": lambda: ml.ITML(max_iter=10).fit(pairs, py),
    "MMC maxIter 3, 2000 pairs": lambda: ml.MMC(max_iter=3).fit(pairs, py),
    "MLKR maxIter 20": lambda: ml.MLKR(max_iter=20).fit(X, y.astype(float)),
    "LFDA": lambda: ml.LFDA().fit(X[:, X.std(0) > 0], y),
}


def make_step(name):
    fit = TASKS[name]

    def step():
        fit()  # the fitted learner stays here: the server replies with times only

    return step


timing_server.serve(make_step)
