// LMNN's impostor screen, in two steps. At a reference L_ref, a float32 Gram block B [nOut, nIn]
// = Lx_out·Lx_inᵀ of the centred points becomes, in place, a lower bound on each pair's
// distance: √(q·(1 − slack) − 2B), q = ‖out‖² + ‖in‖², slack covering the float32 error of B,
// rounded down. At any later L, a point moved by at most δ from its place under L_ref, so a pair
// can only be inside the margin radius ρ² of either point when bound < max(ρ_out, ρ_in) + δ_out
// + δ_in: the screen keeps those pairs, and the caller re-measures them exactly in float64. One
// Gram block then serves many iterations (L moves little per step), and the screen reads
// four pairs per f32x4 step, storing only on a hit (most pairs fail).

// @ts-ignore: decorator
@inline function F(p: usize, i: usize): usize {
  return p + (i << 3);
}

// @ts-ignore: decorator
@inline function S(p: usize, i: usize): usize {
  return p + (i << 2);
}

// B [nOut, nIn] f32 in place; sqOut [nOut], sqIn [nIn] f64 the squared norms of the rows.
export function f32_impostor_bound(B: usize, nOut: i32, nIn: i32, sqOut: usize, sqIn: usize, slack: f64): void {
  const keep = 1 - slack, down: f64 = 1 - 1.0 / 1048576;
  for (let o = 0; o < nOut; o++) {
    const row = B + ((<usize>o * <usize>nIn) << 2);
    const so = load<f64>(F(sqOut, o));
    for (let i = 0; i < nIn; i++) {
      const g = (so + load<f64>(F(sqIn, i))) * keep - 2 * <f64>load<f32>(S(row, i));
      store<f32>(S(row, i), <f32>(Math.sqrt(Math.max(g, 0)) * down));
    }
  }
}

// Pair m = (a, b) into outA[m], outB[m] when there is room; the count either way.
// @ts-ignore: decorator
@inline function put(outA: usize, outB: usize, m: i32, cap: i32, a: i32, b: i32): i32 {
  if (m < cap) {
    store<i32>(S(outA, m), a);
    store<i32>(S(outB, m), b);
  }
  return m + 1;
}

// bound [nOut, nIn] from f32_impostor_bound; per point, f32 rounded up: P = ρ + δ and D = δ.
// The test bound < max(P_out + D_in, P_in + D_out). Writes the hits as i32 pairs (i0 + in to
// outA, i1 + out to outB), out ascending, then in ascending, at most cap of them; returns how
// many there are in all (more than cap: call again with room for them).
export function f32_impostor_screen(bound: usize, nOut: i32, nIn: i32, pOut: usize, dOut: usize, pIn: usize, dIn: usize, i0: i32, i1: i32, outA: usize, outB: usize, cap: i32): i32 {
  let m = 0;
  for (let o = 0; o < nOut; o++) {
    const row = bound + ((<usize>o * <usize>nIn) << 2);
    const po = load<f32>(S(pOut, o)), dd = load<f32>(S(dOut, o));
    const pv = f32x4.splat(po), dv = f32x4.splat(dd);
    let i = 0;
    for (; i + 4 <= nIn; i += 4) {
      const thr = f32x4.max(f32x4.add(pv, v128.load(S(dIn, i))), f32x4.add(v128.load(S(pIn, i)), dv));
      const hit = f32x4.lt(v128.load(S(row, i)), thr);
      if (!v128.any_true(hit)) continue;
      if (i32x4.extract_lane(hit, 0) != 0) m = put(outA, outB, m, cap, i0 + i, i1 + o);
      if (i32x4.extract_lane(hit, 1) != 0) m = put(outA, outB, m, cap, i0 + i + 1, i1 + o);
      if (i32x4.extract_lane(hit, 2) != 0) m = put(outA, outB, m, cap, i0 + i + 2, i1 + o);
      if (i32x4.extract_lane(hit, 3) != 0) m = put(outA, outB, m, cap, i0 + i + 3, i1 + o);
    }
    for (; i < nIn; i++) {
      const thr = Mathf.max(po + load<f32>(S(dIn, i)), load<f32>(S(pIn, i)) + dd);
      if (load<f32>(S(row, i)) < thr) m = put(outA, outB, m, cap, i0 + i, i1 + o);
    }
  }
  return m;
}
