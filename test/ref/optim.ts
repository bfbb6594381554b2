// float64 oracles of torch.optim's update rules (one parameter vector, one step). Never
// imported by src/.
export interface SgdRefState { buf: Float64Array | null }

export function sgdRef(
  p: Float64Array, g: ArrayLike<number>, st: SgdRefState,
  { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false }: { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean },
): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i] + weightDecay * p[i];
    if (momentum !== 0) {
      if (!st.buf) st.buf = new Float64Array(p.length).fill(NaN);
      const b = Number.isNaN(st.buf[i]) ? d : momentum * st.buf[i] + (1 - dampening) * d;
      st.buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    p[i] -= lr * d;
  }
}

export interface AdamRefState { m: Float64Array; v: Float64Array; t: number }

export function adamRef(
  p: Float64Array, g: ArrayLike<number>, st: AdamRefState,
  { lr, betas: [b1, b2], eps, weightDecay, decoupled }: { lr: number; betas: [number, number]; eps: number; weightDecay: number; decoupled: boolean },
): void {
  st.t++;
  for (let i = 0; i < p.length; i++) {
    if (decoupled) p[i] *= 1 - lr * weightDecay;
    const gi = g[i] + (decoupled ? 0 : weightDecay * p[i]);
    st.m[i] = b1 * st.m[i] + (1 - b1) * gi;
    st.v[i] = b2 * st.v[i] + (1 - b2) * gi * gi;
    const mHat = st.m[i] / (1 - b1 ** st.t);
    p[i] -= (lr * mHat) / (Math.sqrt(st.v[i] / (1 - b2 ** st.t)) + eps);
  }
}
