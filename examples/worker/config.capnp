# workerd configuration for the example: `npm run build`, then from the repository root
#   npx workerd serve examples/worker/config.capnp
# and POST to http://127.0.0.1:8787/similar. The modules are the ones wrangler would upload:
# the package's workerd entry, its two wasm builds, and the two safetensors files as data.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "similar", worker = .similarWorker)],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "similar")],
);

const similarWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "model.mjs", esModule = embed "model.mjs"),
    (name = "simlearn", esModule = embed "../../dist/simlearn.workerd.js"),
    (name = "simlearn.wasm", wasm = embed "../../dist/simlearn.wasm"),
    (name = "simlearn-relaxed.wasm", wasm = embed "../../dist/simlearn-relaxed.wasm"),
    (name = "model.safetensors", data = embed "model.safetensors"),
    (name = "refs.safetensors", data = embed "refs.safetensors"),
    (name = "image.mjs", esModule = embed "image.mjs"),
    (name = "image-model.safetensors", data = embed "image-model.safetensors"),
    (name = "image-refs.safetensors", data = embed "image-refs.safetensors"),
  ],
  compatibilityDate = "2025-09-01",
);
