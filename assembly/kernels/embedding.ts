// Embedding lookups (torch.nn.Embedding / EmbeddingBag) and the strided block copy of cat.
// Indices are int32, checked in range by the caller; a negative index is a padding entry
// that EmbeddingBag leaves out of its bag.
import { BagMode } from '../codes';
import { addInto } from './vec';

// out[r] = weight[idx[r]], rows of d floats.
export function f32_embedding_fwd(weight: usize, idx: usize, out: usize, n: i32, d: i32): void {
  const bytes = <usize>d << 2;
  for (let r = 0; r < n; r++) memory.copy(out + <usize>r * bytes, weight + <usize>load<i32>(idx + (<usize>r << 2)) * bytes, bytes);
}

// dweight[idx[r]] += g[r], except rows equal to skip (the padding index; -1 for none).
export function f32_embedding_bwd(g: usize, idx: usize, dweight: usize, n: i32, d: i32, skip: i32): void {
  const bytes = <usize>d << 2;
  for (let r = 0; r < n; r++) {
    const i = load<i32>(idx + (<usize>r << 2));
    if (i != skip) addInto(dweight + <usize>i * bytes, g + <usize>r * bytes, d);
  }
}

// Bag b holds entries offsets[b] .. offsets[b+1] of idx; out[b] = their sum, mean or max
// (per column; argmax [bags, d] keeps the winning row, -1 for an empty bag, which gives 0).
export function f32_embedding_bag_fwd(weight: usize, idx: usize, offsets: usize, out: usize, argmax: usize, bags: i32, d: i32, mode: i32): void {
  const bytes = <usize>d << 2;
  for (let b = 0; b < bags; b++) {
    const o = out + <usize>b * bytes;
    const e0 = load<i32>(offsets + (<usize>b << 2)), e1 = load<i32>(offsets + (<usize>(b + 1) << 2));
    memory.fill(o, 0, bytes);
    let count = 0;
    if (mode == BagMode.max) {
      const am = argmax + <usize>b * bytes;
      for (let j = 0; j < d; j++) store<i32>(am + (<usize>j << 2), -1);
      for (let e = e0; e < e1; e++) {
        const i = load<i32>(idx + (<usize>e << 2));
        if (i < 0) continue;
        const row = weight + <usize>i * bytes;
        for (let j = 0; j < d; j++) {
          const v = load<f32>(row + (<usize>j << 2));
          const at = am + (<usize>j << 2);
          if (load<i32>(at) < 0 || v > load<f32>(o + (<usize>j << 2))) {
            store<f32>(o + (<usize>j << 2), v);
            store<i32>(at, i);
          }
        }
      }
      continue;
    }
    for (let e = e0; e < e1; e++) {
      const i = load<i32>(idx + (<usize>e << 2));
      if (i < 0) continue;
      addInto(o, weight + <usize>i * bytes, d);
      count++;
    }
    if (mode == BagMode.mean && count > 0) {
      const inv: f32 = 1 / <f32>count;
      for (let j = 0; j < d; j++) store<f32>(o + (<usize>j << 2), load<f32>(o + (<usize>j << 2)) * inv);
    }
  }
}

// dweight (+)= the bags' gradients pushed back to their rows (dweight zeroed by the caller).
export function f32_embedding_bag_bwd(g: usize, idx: usize, offsets: usize, argmax: usize, dweight: usize, bags: i32, d: i32, mode: i32): void {
  const bytes = <usize>d << 2;
  for (let b = 0; b < bags; b++) {
    const gb = g + <usize>b * bytes;
    if (mode == BagMode.max) {
      const am = argmax + <usize>b * bytes;
      for (let j = 0; j < d; j++) {
        const i = load<i32>(am + (<usize>j << 2));
        if (i < 0) continue;
        const at = dweight + <usize>i * bytes + (<usize>j << 2);
        store<f32>(at, load<f32>(at) + load<f32>(gb + (<usize>j << 2)));
      }
      continue;
    }
    const e0 = load<i32>(offsets + (<usize>b << 2)), e1 = load<i32>(offsets + (<usize>(b + 1) << 2));
    let count = 0;
    for (let e = e0; e < e1; e++) if (load<i32>(idx + (<usize>e << 2)) >= 0) count++;
    const scale: f32 = mode == BagMode.mean && count > 0 ? 1 / <f32>count : 1;
    for (let e = e0; e < e1; e++) {
      const i = load<i32>(idx + (<usize>e << 2));
      if (i < 0) continue;
      const row = dweight + <usize>i * bytes;
      for (let j = 0; j < d; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) + scale * load<f32>(gb + (<usize>j << 2)));
    }
  }
}

// dst[r·dstLd + j] (+)= src[r·srcLd + j] for r < rows, j < len: one tensor's block of a cat.
export function f32_copy_rows(src: usize, srcLd: i32, dst: usize, dstLd: i32, rows: i32, len: i32, accumulate: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = src + ((<usize>r * srcLd) << 2), t = dst + ((<usize>r * dstLd) << 2);
    if (accumulate) addInto(t, s, len);
    else memory.copy(t, s, <usize>len << 2);
  }
}
