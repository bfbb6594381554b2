// Soft-histogram losses of pytorch-metric-learning, fused: the whole loss of a distance
// matrix in one pass forward and one pass backward instead of a chain of [n, n] or
// [triplets] ops (bench/losses-miners.ts, LOSSES: DynamicSoftMarginLoss and FastAPLoss at
// n 256 are where the chain lost to PML). Forward and backward side by side per loss.
// mat [n, ld] row-major (the distance matrix); index columns int32.

// @ts-ignore: decorator
@inline function ld_i32(base: usize, k: i32): i32 {
  return load<i32>(base + (<usize>k << 2));
}

// @ts-ignore: decorator
@inline function entry(mat: usize, ld: i32, i: i32, j: i32): usize {
  return mat + ((<usize>i * <usize>ld + <usize>j) << 2);
}

// ---- DynamicSoftMarginLoss ----
// Per triplet t: x = mat[a, p] − mat[a, n], u = (x + shift)·invDelta (float32, as the op chain
// add-scalar then scale), bin = ⌊u⌋, α = u − bin. The forward accumulates per bin, in f64,
// sums [3·numBins]: Σ(1 − α), Σα, Σx; it returns −1 when every bin lies in [0, numBins − 1)
// (bin and bin + 1 are both bins), else the first triplet outside (NaN included), with sums
// then incomplete. The loss and the histogram update are O(numBins) work left to the caller.

// @ts-ignore: decorator
@inline function tripletDiff(mat: usize, ld: i32, a: usize, p: usize, ng: usize, t: i32): f32 {
  const ai = ld_i32(a, t);
  return load<f32>(entry(mat, ld, ai, ld_i32(p, t))) - load<f32>(entry(mat, ld, ai, ld_i32(ng, t)));
}

export function f32_soft_margin_hist_fwd(mat: usize, ld: i32, a: usize, p: usize, ng: usize, count: i32, shift: f32, invDelta: f32, numBins: i32, sums: usize): i32 {
  const top = <f32>(numBins - 1);
  for (let b = 0; b < 3 * numBins; b++) store<f64>(sums + (<usize>b << 3), 0);
  for (let t = 0; t < count; t++) {
    const x = tripletDiff(mat, ld, a, p, ng, t);
    const u = (x + shift) * invDelta;
    if (!(u >= 0 && u < top)) return t;
    const bin = <i32>Mathf.floor(u);
    const alpha = u - <f32>bin;
    const s = sums + (<usize>bin << 3);
    store<f64>(s, load<f64>(s) + <f64>(1 - alpha));
    store<f64>(s + (<usize>numBins << 3), load<f64>(s + (<usize>numBins << 3)) + <f64>alpha);
    store<f64>(s + (<usize>(2 * numBins) << 3), load<f64>(s + (<usize>(2 * numBins) << 3)) + <f64>x);
  }
  return -1;
}

// dmat[a, p] += w[bin], dmat[a, n] −= w[bin] per triplet: w [numBins] is ∂loss/∂x of a
// triplet in each bin (the caller folds in g and the histogram's own dependence on x).
// Scatter-adds: the caller zero-fills dmat when it overwrites.
export function f32_soft_margin_hist_bwd(mat: usize, ld: i32, a: usize, p: usize, ng: usize, count: i32, shift: f32, invDelta: f32, w: usize, dmat: usize): void {
  for (let t = 0; t < count; t++) {
    const u = (tripletDiff(mat, ld, a, p, ng, t) + shift) * invDelta;
    const wt = load<f32>(w + (<usize>(<i32>Mathf.floor(u)) << 2));
    const ai = ld_i32(a, t);
    const dp = entry(dmat, ld, ai, ld_i32(p, t)), dn = entry(dmat, ld, ai, ld_i32(ng, t));
    store<f32>(dp, load<f32>(dp) + wt);
    store<f32>(dn, load<f32>(dn) - wt);
  }
}

// ---- FastAPLoss ----
// Row i of mat [n, n] against the labels: pulse_k(d) = relu(1 − |d − c_k|·invDelta) for the
// bins c_k = k·top/numBins, k = 0 … numBins (bins = numBins + 1); pos_k / neg_k = Σ pulse over
// j ≠ i with the same / another label; H⁺ = cumsum(pos), H = cumsum(pos + neg), h = pos·H⁺;
// out[i] = Σ_k h_k / H_k over the bins with h_k > 0 and H_k > 0 (PML's safe_H). hist [n, 2·bins]
// keeps pos and neg for the backward. Returns the number of safe (i, k) bins.
// A distance d touches at most the bins around d·bins/top; only those three are evaluated
// (a NaN d goes through every bin, so it reaches them all, as the unfused ops did).

// @ts-ignore: decorator
@inline function pulse(d: f32, c: f32, invDelta: f32): f32 {
  return max<f32>(Mathf.abs(d - c) * -invDelta + 1, 0);
}

// @ts-ignore: decorator
@inline function binCentre(k: i32, top: f32, numBins: i32): f32 {
  return <f32>(<f64>top * <f64>k / <f64>numBins);
}

// The bins [k0, k1) a distance may touch.
// @ts-ignore: decorator
@inline function binRange(d: f32, top: f32, numBins: i32): i64 {
  if (!(d == d)) return <i64>(numBins + 1) << 32;
  const kf = Mathf.floor(min<f32>(max<f32>(d * (<f32>numBins / top), -1), <f32>(numBins + 1)));
  const k0 = max<i32>(<i32>kf - 1, 0), k1 = min<i32>(<i32>kf + 2, numBins + 1);
  return (<i64>k1 << 32) | <i64>k0;
}

export function f32_fast_ap_fwd(mat: usize, labels: usize, n: i32, top: f32, invDelta: f32, numBins: i32, hist: usize, out: usize): i32 {
  const bins = numBins + 1;
  let safe = 0;
  for (let i = 0; i < n; i++) {
    const pos = hist + ((<usize>i * <usize>(2 * bins)) << 2), neg = pos + (<usize>bins << 2);
    for (let k = 0; k < 2 * bins; k++) store<f32>(pos + (<usize>k << 2), 0);
    const li = ld_i32(labels, i);
    for (let j = 0; j < n; j++) {
      if (j == i) continue;
      const d = load<f32>(entry(mat, n, i, j));
      const h = ld_i32(labels, j) == li ? pos : neg;
      const r = binRange(d, top, numBins);
      for (let k = <i32>r; k < <i32>(r >> 32); k++) {
        const at = h + (<usize>k << 2);
        store<f32>(at, load<f32>(at) + pulse(d, binCentre(k, top, numBins), invDelta));
      }
    }
    let hp: f32 = 0, ht: f32 = 0, f: f32 = 0;
    for (let k = 0; k < bins; k++) {
      const pk = load<f32>(pos + (<usize>k << 2));
      hp += pk;
      ht += pk + load<f32>(neg + (<usize>k << 2));
      const prod = pk * hp;
      if (prod > 0 && ht > 0) {
        f += prod / ht;
        safe++;
      }
    }
    store<f32>(out + (<usize>i << 2), f);
  }
  return safe;
}

// gmat (+)= ∂out/∂mat · g, g [n]. Per row, with the safe bins S: ∂out/∂pos_k = [k ∈ S]·H⁺_k/H_k
// + Σ_{k' ≥ k, k' ∈ S} (pos_k'/H_k' − h_k'/H_k'²), ∂out/∂neg_k = −Σ_{k' ≥ k, k' ∈ S} h_k'/H_k'²;
// then through each pulse: ∂pulse/∂d = −sign(d − c_k)·invDelta where the pulse is > 0
// (sign(0) = 0, relu' = 0 at the kink). scratch f32 [2·bins].
export function f32_fast_ap_bwd(mat: usize, labels: usize, n: i32, top: f32, invDelta: f32, numBins: i32, hist: usize, g: usize, scratch: usize, gmat: usize, accumulate: i32): void {
  const bins = numBins + 1;
  const dpos = scratch, dneg = scratch + (<usize>bins << 2);
  for (let i = 0; i < n; i++) {
    const pos = hist + ((<usize>i * <usize>(2 * bins)) << 2), neg = pos + (<usize>bins << 2);
    // forward quantities again, then the suffix sums from the last bin down
    let hp: f32 = 0, ht: f32 = 0;
    for (let k = 0; k < bins; k++) {
      hp += load<f32>(pos + (<usize>k << 2));
      ht += load<f32>(pos + (<usize>k << 2)) + load<f32>(neg + (<usize>k << 2));
      store<f32>(dpos + (<usize>k << 2), hp);
      store<f32>(dneg + (<usize>k << 2), ht);
    }
    let sa: f32 = 0, sb: f32 = 0;
    for (let k = bins - 1; k >= 0; k--) {
      const pk = load<f32>(pos + (<usize>k << 2));
      const hpk = load<f32>(dpos + (<usize>k << 2)), htk = load<f32>(dneg + (<usize>k << 2));
      const prod = pk * hpk;
      let direct: f32 = 0;
      if (prod > 0 && htk > 0) {
        sa -= prod / (htk * htk);
        sb += pk / htk;
        direct = hpk / htk;
      }
      store<f32>(dpos + (<usize>k << 2), direct + sb + sa);
      store<f32>(dneg + (<usize>k << 2), sa);
    }
    const gi = load<f32>(g + (<usize>i << 2)) * -invDelta;
    const li = ld_i32(labels, i);
    for (let j = 0; j < n; j++) {
      const at = entry(gmat, n, i, j);
      let v: f32 = 0;
      if (j != i) {
        const d = load<f32>(entry(mat, n, i, j));
        const w = ld_i32(labels, j) == li ? dpos : dneg;
        const r = binRange(d, top, numBins);
        for (let k = <i32>r; k < <i32>(r >> 32); k++) {
          const t = d - binCentre(k, top, numBins);
          if (Mathf.abs(t) * -invDelta + 1 > 0) v += load<f32>(w + (<usize>k << 2)) * (t > 0 ? 1 : t < 0 ? -1 : 0);
        }
        v *= gi;
      }
      if (accumulate) v += load<f32>(at);
      store<f32>(at, v);
    }
  }
}
