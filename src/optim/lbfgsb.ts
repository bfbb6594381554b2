// scipy's L-BFGS-B (scipy.optimize.minimize(method='L-BFGS-B'), Fortran v3.0 as scipy 1.10
// ships it) without bounds: the optimiser metric-learn's MLKR calls. Without bounds its
// generalised Cauchy point and subspace minimisation reduce to the L-BFGS direction −H·g
// (H₀ = I/θ, θ = yᵀy/sᵀy of the newest pair; −g/θ after a restart), and its line search is
// MINPACK-2's dcsrch (Moré–Thuente) with ftol 1e-3, gtol 0.9, xtol 0.1. Following it step for
// step (first step 1/‖d‖, the same skip, restart and stopping rules) spends the evaluations
// scipy spends: torch's strong-Wolfe search, on MLKR's flat saturated softmaxes, spent three
// times as many.
import { absMax, dot } from './lbfgs-core';

export interface LbfgsBResult {
  x: Float64Array;
  loss: number;
  /** accepted iterations (scipy's nit) */
  nIter: number;
  /** objective evaluations (scipy's nfev) */
  funcEvals: number;
  /** why it stopped, in scipy's words */
  message: string;
}

const EPS = 2.220446049250313e-16;
const BIG = 1e10;

/**
 * Minimises fun over x ∈ ℝⁿ as scipy's L-BFGS-B does with no bounds. fun(x, grad) returns the
 * loss and writes the gradient; x is not kept by fun. Defaults are scipy's: historySize 10,
 * ftol 2.22e-9 (relative reduction of f), pgtol 1e-5 (max |gᵢ|), maxLs 20.
 */
export function minimizeLbfgsB(fun: (x: Float64Array, grad: Float64Array) => number, x0: Float64Array, opts: { maxIter: number; historySize?: number; ftol?: number; pgtol?: number; maxLs?: number }): LbfgsBResult {
  const n = x0.length;
  const m = opts.historySize ?? 10, ftol = opts.ftol ?? 2.220446049250313e-9, pgtol = opts.pgtol ?? 1e-5, maxLs = opts.maxLs ?? 20;
  let x = x0.slice(), g = new Float64Array(n);
  let f = fun(x, g);
  let nfev = 1, nIter = 0;
  const done = (message: string): LbfgsBResult => ({ x, loss: f, nIter, funcEvals: nfev, message });
  if (absMax(g) <= pgtol) return done('CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL');
  // the history ring: S, Y rows and their sᵀy, oldest at `first`
  const S: Float64Array[] = [], Y: Float64Array[] = [], sy: number[] = [];
  let first = 0, col = 0, theta = 1;
  const alpha = new Float64Array(m);
  for (;;) {
    // the direction: −g/θ with an empty history, else the two-loop recursion
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = -g[i];
    // (θ is 1 whenever the history is empty)
    if (col > 0) {
      for (let c = col - 1; c >= 0; c--) {
        const j = (first + c) % m;
        const a = dot(S[j], d) / sy[j];
        alpha[c] = a;
        const yj = Y[j];
        for (let i = 0; i < n; i++) d[i] -= a * yj[i];
      }
      for (let i = 0; i < n; i++) d[i] /= theta;
      for (let c = 0; c < col; c++) {
        const j = (first + c) % m;
        const b = dot(Y[j], d) / sy[j];
        const sj = S[j], a = alpha[c];
        for (let i = 0; i < n; i++) d[i] += (a - b) * sj[i];
      }
    }
    // the line search along d from x: dcsrch asks for f and f' at one step after another
    const xOld = x, gOld = g, fOld = f;
    const gdOld = dot(g, d);
    let stp = nIter === 0 ? Math.min(1 / Math.sqrt(dot(d, d)), BIG) : 1;
    let gd = gdOld;
    let failed = !(gdOld < 0);
    if (!failed) {
      const ls = new Dcsrch(f, gdOld, stp, 1e-3, 0.9, 0.1, 0, BIG);
      for (let evals = 0; ; evals++) {
        const req = ls.next(stp, f, gd);
        stp = req.stp;
        if (!req.evaluate) break;
        if (evals >= maxLs) {
          failed = true;
          break;
        }
        x = new Float64Array(n);
        for (let i = 0; i < n; i++) x[i] = stp * d[i] + xOld[i];
        g = new Float64Array(n);
        f = fun(x, g);
        nfev++;
        gd = dot(g, d);
      }
    }
    if (failed) {
      x = xOld;
      g = gOld;
      f = fOld;
      if (col === 0) {
        nIter++;
        return done('ABNORMAL_TERMINATION_IN_LNSRCH');
      }
      // forget the history and try again from the same point
      col = 0;
      first = 0;
      theta = 1;
      continue;
    }
    nIter++;
    if (nIter >= opts.maxIter) return done('STOP: TOTAL NO. of ITERATIONS REACHED LIMIT');
    if (absMax(g) <= pgtol) return done('CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL');
    if (fOld - f <= ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) return done('CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH');
    // the new pair s = stp·d, y = Δg; sᵀy from the directional derivatives, as L-BFGS-B has it
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = g[i] - gOld[i];
    const dr = (gd - gdOld) * stp;
    if (!(dr <= EPS * (-gdOld * stp))) {
      if (stp !== 1) for (let i = 0; i < n; i++) d[i] *= stp;
      let slot: number;
      if (col < m) slot = (first + col++) % m;
      else {
        slot = first;
        first = (first + 1) % m;
      }
      S[slot] = d;
      Y[slot] = y;
      sy[slot] = dr;
      theta = dot(y, y) / dr;
    }
  }
}

/** MINPACK-2's dcsrch: a step satisfying f(stp) ≤ f(0) + ftol·stp·f'(0) and |f'(stp)| ≤ gtol·|f'(0)|. */
class Dcsrch {
  private brackt = false;
  private stage = 1;
  private readonly finit: number;
  private readonly ginit: number;
  private readonly gtest: number;
  private width: number;
  private width1: number;
  private stx = 0;
  private fx: number;
  private gx: number;
  private sty = 0;
  private fy: number;
  private gy: number;
  private stmin = 0;
  private stmax: number;
  private started = false;

  constructor(f: number, g: number, stp: number, private readonly ftol: number, private readonly gtol: number, private readonly xtol: number, private readonly stpmin: number, private readonly stpmax: number) {
    this.finit = this.fx = this.fy = f;
    this.ginit = this.gx = this.gy = g;
    this.gtest = ftol * g;
    this.width = stpmax - stpmin;
    this.width1 = this.width / 0.5;
    this.stmax = stp + 4 * stp;
  }

  /** Given f and f' at stp (at the start: f(0), f'(0) and the first step), the next step and whether to evaluate there. */
  next(stp: number, f: number, g: number): { stp: number; evaluate: boolean } {
    if (!this.started) {
      this.started = true;
      return { stp, evaluate: true };
    }
    const ftest = this.finit + stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;
    let warn = false;
    if (this.brackt && (stp <= this.stmin || stp >= this.stmax)) warn = true;
    if (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax) warn = true;
    if (stp === this.stpmax && f <= ftest && g <= this.gtest) warn = true;
    if (stp === this.stpmin && (f > ftest || g >= this.gtest)) warn = true;
    if (f <= ftest && Math.abs(g) <= this.gtol * -this.ginit) return { stp, evaluate: false };
    if (warn) return { stp, evaluate: false };
    if (this.stage === 1 && f <= this.fx && f > ftest) {
      // the modified function ψ while the decrease is not yet sufficient
      const gt = this.gtest;
      const r = dcstep(this.stx, this.fx - this.stx * gt, this.gx - gt, this.sty, this.fy - this.sty * gt, this.gy - gt, stp, f - stp * gt, g - gt, this.brackt, this.stmin, this.stmax);
      this.stx = r.stx;
      this.sty = r.sty;
      this.fx = r.fx + r.stx * gt;
      this.fy = r.fy + r.sty * gt;
      this.gx = r.dx + gt;
      this.gy = r.dy + gt;
      this.brackt = r.brackt;
      stp = r.stp;
    } else {
      const r = dcstep(this.stx, this.fx, this.gx, this.sty, this.fy, this.gy, stp, f, g, this.brackt, this.stmin, this.stmax);
      this.stx = r.stx;
      this.sty = r.sty;
      this.fx = r.fx;
      this.fy = r.fy;
      this.gx = r.dx;
      this.gy = r.dy;
      this.brackt = r.brackt;
      stp = r.stp;
    }
    if (this.brackt) {
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) stp = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = stp + 1.1 * (stp - this.stx);
      this.stmax = stp + 4 * (stp - this.stx);
    }
    stp = Math.min(Math.max(stp, this.stpmin), this.stpmax);
    if ((this.brackt && (stp <= this.stmin || stp >= this.stmax)) || (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax)) stp = this.stx;
    return { stp, evaluate: true };
  }
}

/** MINPACK-2's dcstep: the safeguarded cubic/quadratic step and the new bracket. */
function dcstep(stx: number, fx: number, dx: number, sty: number, fy: number, dy: number, stp: number, fp: number, dp: number, brackt: boolean, stpmin: number, stpmax: number) {
  const sgnd = dp * (dx / Math.abs(dx));
  let stpf: number;
  if (fp > fx) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta, q = gamma - dx + gamma + dp;
    const stpc = stx + (p / q) * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    brackt = true;
  } else if (sgnd < 0) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta, q = gamma - dp + gamma + dx;
    const stpc = stp + (p / q) * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta, q = gamma + (dx - dp) + gamma;
    const r = p / q;
    const stpc = r < 0 && gamma !== 0 ? stp + r * (stx - stp) : stp > stx ? stpmax : stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.max(stpmin, Math.min(stpmax, stpf));
    }
  } else if (brackt) {
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dy / s) * (dp / s));
    if (stp > sty) gamma = -gamma;
    const p = gamma - dp + theta, q = gamma - dp + gamma + dy;
    stpf = stp + (p / q) * (sty - stp);
  } else stpf = stp > stx ? stpmax : stpmin;
  if (fp > fx) {
    sty = stp;
    fy = fp;
    dy = dp;
  } else {
    if (sgnd < 0) {
      sty = stx;
      fy = fx;
      dy = dx;
    }
    stx = stp;
    fx = fp;
    dx = dp;
  }
  return { stx, fx, dx, sty, fy, dy, stp: stpf, brackt };
}
