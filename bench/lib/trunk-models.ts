// The trunk benchmark's models on the three engines, all from one state dict:
//   - torch (via /usr/bin/python3 bench/trunks_export.py, at bench time) writes the ONNX
//     export, the state dict as safetensors, and torch's logits for a seeded input, into
//     build/trunks/ (gitignored; re-exported when the script is newer than its files);
//   - simlearn loads that state dict into sl.models.* and folds BatchNorm (fuseBatchNorm);
//   - tfjs-backend-wasm is built from the same dict op by op (tfjs-trunks.ts);
//   - onnxruntime-web (wasm, SIMD, one thread) runs the ONNX file.
// Without python or torch, the weights are simlearn's own seeded initialisation and the
// onnxruntime-web column says why it is missing.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sl } from './simlearn';
import type { Tensor } from '../../src/index';
import type { Module } from '../../src/nn/module';

export const TRUNK_DIR = 'build/trunks';
const SCRIPT = 'bench/trunks_export.py';
const PYTHON = '/usr/bin/python3';

export interface TrunkSpec {
  name: string;
  /** torchvision's name: the files' stem */
  file: string;
  make: () => Module;
  /** multiply-adds per image at 224×224, as torchvision lists them */
  macs: number;
}

export const TRUNKS: TrunkSpec[] = [
  { name: 'ResNet-18', file: 'resnet18', make: () => sl.models.resnet18(), macs: 1.814e9 },
  { name: 'MobileNetV2', file: 'mobilenet_v2', make: () => sl.models.mobilenetV2(), macs: 0.3e9 },
];

const files = (t: TrunkSpec) => ['onnx', 'safetensors', 'check.safetensors'].map((e) => join(TRUNK_DIR, `${t.file}.${e}`));

/** Makes (or reuses) the torch export; null when done, else why not. */
export function exportTrunks(log: (m: string) => void): string | null {
  const fresh = TRUNKS.every((t) => files(t).every((f) => existsSync(f) && statSync(f).mtimeMs > statSync(SCRIPT).mtimeMs));
  if (fresh) return null;
  if (!existsSync(PYTHON)) return `no ${PYTHON}: no ONNX export`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} has no torch/torchvision: no ONNX export`;
  log(`  exporting the trunks with torch into ${TRUNK_DIR} …`);
  const res = spawnSync(PYTHON, [SCRIPT, TRUNK_DIR], { encoding: 'utf8', timeout: 300_000 });
  if (res.status !== 0) return `${SCRIPT} failed: ${(res.stderr || '').trim().split('\n').pop()}`;
  return null;
}

export interface LoadedTrunk {
  /** the folded simlearn model */
  model: Module;
  /** torch's input (2 images) and logits, when exported */
  check: { x: Float32Array; y: Float32Array } | null;
  onnxPath: string | null;
}

export type Weights = Map<string, { values: Float32Array; shape: number[] }>;

/** The simlearn trunk with the exported weights when `exported`, else with simlearn's seeded init. */
export function loadTrunk(t: TrunkSpec, exported: boolean): LoadedTrunk {
  const [onnx, st, check] = files(t);
  const raw = t.make();
  let c: LoadedTrunk['check'] = null;
  if (exported) {
    const dict = sl.io.loadSafetensors(readFileSync(st));
    raw.loadStateDict(dict);
    for (const v of Object.values(dict)) v.dispose();
    const w = readSafetensorsF32(readFileSync(check));
    c = { x: w.get('x')!.values, y: w.get('y')!.values };
  }
  const model = sl.nn.fuseBatchNorm(raw.eval());
  raw.dispose();
  return { model, check: c, onnxPath: exported ? onnx : null };
}

/** The unfolded state dict for the peers built op by op: the exported file, else simlearn's seeded init (as loadTrunk). */
export function trunkWeights(t: TrunkSpec, exported: boolean): Weights {
  if (exported) return readSafetensorsF32(readFileSync(files(t)[1]));
  const raw = t.make();
  const out: Weights = new Map(Object.entries(raw.stateDict() as Record<string, Tensor>).map(([k, v]) => [k, { values: v.data().slice(), shape: [...v.shape] }]));
  raw.dispose();
  return out;
}

/**
 * A safetensors file's F32 and I64 entries as plain arrays, without simlearn (so a peer's
 * memory figure holds no simlearn buffers): the format is a u64 LE header length, the JSON
 * header, then the data.
 */
export function readSafetensorsF32(bytes: Uint8Array): Weights {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out: Weights = new Map();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const at = 8 + n + e.data_offsets[0], len = e.data_offsets[1] - e.data_offsets[0];
    const values = e.dtype === 'F32'
      ? new Float32Array(new Uint8Array(bytes.subarray(at, at + len)).buffer) // a copy: a Buffer's slice is a view
      : Float32Array.from({ length: len / 8 }, (_, i) => Number(view.getBigInt64(at + 8 * i, true)));
    out.set(name, { values, shape: e.shape });
  }
  return out;
}

/** max |a − b| / max |b|: the relative disagreement of two logit vectors. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return a.length === b.length ? d / m : Infinity;
}
