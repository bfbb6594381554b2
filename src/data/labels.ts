// Shared checks and the label → indices map the samplers and builders start from.
import { Rng, checkSeed, rngFor } from '../random';

/** Integer labels as an Int32Array; `arg` names them in errors. */
export function checkLabels(fn: string, labels: ArrayLike<number>, arg = 'labels'): Int32Array {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new Error(`${fn}: ${arg} must be an Int32Array or number[], got ${labels === null ? 'null' : typeof labels}`);
  }
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i])) throw new Error(`${fn}: ${arg}[${i}] is ${labels[i]}; labels must be integers`);
    out[i] = labels[i];
  }
  return out;
}

/** Indices of each label, labels in order of first appearance (as pml's get_labels_to_indices). */
export function indicesByLabel(labels: Int32Array): Map<number, Int32Array> {
  const lists = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const list = lists.get(l);
    if (list) list.push(i);
    else lists.set(l, [i]);
  });
  return new Map([...lists].map(([l, v]) => [l, Int32Array.from(v)]));
}

/** A generator of its own: from `seed`, or seeded once from the global one (manualSeed). */
export function ownRng(fn: string, seed?: number): Rng {
  return seed === undefined ? new Rng(rngFor().nextU32()) : new Rng(checkSeed(fn, seed));
}

export function checkCount(fn: string, name: string, v: unknown, min = 1): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new Error(`${fn}: ${name} must be an integer ≥ ${min}, got ${v}`);
  return v as number;
}
