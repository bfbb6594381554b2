// Where a build's bytes come from when init() is not handed a module: the .wasm file beside the
// bundle where the runtime can read it, else the base64 chunk inlined in the bundle.
import { WASM_FILES } from './builds.generated';

// A per-character loop over atob's string is the slowest way to decode a chunk, so the runtime's
// native decoder is taken where there is one: Uint8Array.fromBase64 (Deno, recent browsers),
// Buffer (Node, Bun); atob stays the portable fallback.
export function decodeBase64(b64: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (typeof native === 'function') return native(b64);
  const buffer = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (buffer && typeof buffer.from === 'function') return buffer.from(b64, 'base64');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** FNV-1a over every 61st byte: scripts/build-wasm.mjs records it for each build it writes. */
export function sampledFingerprint(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i += 61) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/**
 * Node reads the build from the .wasm file the package ships beside the bundle (for the workerd
 * entry): importing the inlined chunk instead costs it a UTF-8 decode and a V8 scan of a 166 KB
 * string literal, then the base64 decode, most of init(), where the read is under a
 * millisecond. Everywhere else this gives null and init() imports the chunk: browsers and
 * Workers have no file system, Deno's reads need --allow-read (and would prompt), Bun loads its
 * node:fs (or Bun.file) in 10-15 ms, more than the chunk costs it, and an app bundled with
 * simlearn inside usually has no file beside it. A file there must be this bundle's own build:
 * a stale copy from another version is told by its length and a sampled fingerprint (a full
 * hash would cost more than the read saves: Node loads its crypto module in some 15 ms) and is
 * ignored.
 */
export function readBuildBeside(build: keyof typeof WASM_FILES, base: string | URL = import.meta.url): Uint8Array | null {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { bun?: string }; getBuiltinModule?: (id: string) => unknown } };
  if (g.Deno !== undefined || g.process?.versions?.bun !== undefined || typeof g.process?.getBuiltinModule !== 'function') return null;
  const fs = g.process.getBuiltinModule('node:fs') as { readFileSync(path: URL): Uint8Array } | undefined;
  const want = WASM_FILES[build];
  let bytes: Uint8Array;
  try {
    bytes = fs!.readFileSync(new URL(want.file, base));
  } catch {
    return null;
  }
  return bytes.length === want.bytes && sampledFingerprint(bytes) === want.fingerprint ? bytes : null;
}
