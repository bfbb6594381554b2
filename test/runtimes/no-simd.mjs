// Preload (node --import) that makes this Node look like a runtime without wasm SIMD.
WebAssembly.validate = () => false;
