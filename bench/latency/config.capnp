# workerd configuration of the LATENCY workload's worker (bench/latency.ts starts it with
# test/runtimes' withWorkerd on a free port). Needs `npm run build` (dist/) and the weights the
# workload writes to build/latency/model.safetensors before it starts workerd.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "latency", worker = .latencyWorker)],
  sockets = [(name = "http", address = "127.0.0.1:8788", http = (), service = "latency")],
);

const latencyWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "simlearn", esModule = embed "../../dist/simlearn.workerd.js"),
    (name = "simlearn.wasm", wasm = embed "../../dist/simlearn.wasm"),
    (name = "simlearn-relaxed.wasm", wasm = embed "../../dist/simlearn-relaxed.wasm"),
    (name = "model.safetensors", data = embed "../../build/latency/model.safetensors"),
  ],
  compatibilityDate = "2025-09-01",
);
