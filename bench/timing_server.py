# The Python side of bench/lib/py-server.ts: a timing server a workload drives over
# stdin/stdout, so that its simlearn calls and a Python peer's calls alternate case by case (a
# phase of the shared host's load then reaches both sides). It prints {"ready": true}; then for
# each line [case, calls, budgetMs] it runs the case's step up to `calls` times, stopping early
# once the calls took budgetMs (always at least one), and prints one JSON line
# {"ms": [ms of each call], "out": what the first call returned} or {"error"}.
import json
import sys
import time


def serve(make_step):
    """Answers the workload's commands; make_step(case) gives the call to time (built once per case)."""
    print(json.dumps({"ready": True}), flush=True)
    built = (None, None)
    for line in sys.stdin:
        case, calls, budget = json.loads(line)
        try:
            if built[0] != case:
                built = (None, None)  # the previous case's data go first
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
