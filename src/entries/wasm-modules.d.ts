// A `.wasm` import is a compiled module on workerd/Cloudflare Workers (and with wrangler).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
