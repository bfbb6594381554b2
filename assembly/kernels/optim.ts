// Optimiser updates, one call per parameter tensor, in place; torch.optim's formulas and
// order of operations (float32 throughout, like torch's single-tensor path).

// SGD (torch.optim.SGD):
//   d = g + wd·p
//   momentum ≠ 0: buf = first ? d : momentum·buf + (1 − dampening)·d
//                 d = nesterov ? d + momentum·buf : buf
//   p −= lr·d
// p, g, buf [n]; buf is unused (may be 0) when momentum is 0. 1 − dampening, like every
// derived constant here, comes from the caller in float64 and is rounded once, as torch does.
export function f32_sgd_step(
  p: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32, oneMinusDampening: f32, wd: f32, nesterov: i32, first: i32,
): void {
  const vlr = f32x4.splat(lr), vm = f32x4.splat(momentum), vdamp = f32x4.splat(oneMinusDampening), vwd = f32x4.splat(wd);
  const hasMomentum = momentum != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let d = f32x4.add(v128.load(g + o), f32x4.mul(vwd, pv));
    if (hasMomentum) {
      const b = first ? d : f32x4.add(f32x4.mul(vm, v128.load(buf + o)), f32x4.mul(vdamp, d));
      v128.store(buf + o, b);
      d = nesterov ? f32x4.add(d, f32x4.mul(vm, b)) : b;
    }
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, d)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let d = load<f32>(g + o) + wd * pv;
    if (hasMomentum) {
      const b = first ? d : momentum * load<f32>(buf + o) + oneMinusDampening * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + o, pv - lr * d);
  }
}

// Adam / AdamW (torch.optim.Adam, AdamW; no amsgrad):
//   p *= decay                          (AdamW: decay = 1 − lr·wd; Adam: 1)
//   g' = g + l2·p                       (Adam: l2 = wd; AdamW: 0)
//   m = β1·m + (1 − β1)·g'
//   v = β2·v + (1 − β2)·g'²
//   p −= stepSize · m / (√v / bc2Sqrt + eps)
// with stepSize = lr / (1 − β1ᵗ) and bc2Sqrt = √(1 − β2ᵗ) computed by the caller in float64.
export function f32_adam_step(
  p: usize, g: usize, m: usize, v: usize, n: i32, beta1: f32, beta2: f32, oneMinusBeta1: f32, oneMinusBeta2: f32,
  stepSize: f32, bc2Sqrt: f32, eps: f32, l2: f32, decay: f32,
): void {
  const vb1 = f32x4.splat(beta1), vb2 = f32x4.splat(beta2), v1b1 = f32x4.splat(oneMinusBeta1), v1b2 = f32x4.splat(oneMinusBeta2);
  const vstep = f32x4.splat(stepSize), vbc2 = f32x4.splat(bc2Sqrt), veps = f32x4.splat(eps), vl2 = f32x4.splat(l2), vdecay = f32x4.splat(decay);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let pv = v128.load(p + o);
    if (decay != 1) pv = f32x4.mul(pv, vdecay);
    const gv = f32x4.add(v128.load(g + o), f32x4.mul(vl2, pv));
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(v1b1, gv));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(v1b2, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc2), veps);
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vstep, f32x4.div(mv, denom))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pv = load<f32>(p + o);
    if (decay != 1) pv *= decay;
    const gv = load<f32>(g + o) + l2 * pv;
    const mv = beta1 * load<f32>(m + o) + oneMinusBeta1 * gv;
    const vv = beta2 * load<f32>(v + o) + oneMinusBeta2 * gv * gv;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, pv - stepSize * (mv / (sqrt<f32>(vv) / bc2Sqrt + eps)));
  }
}
