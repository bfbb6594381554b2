// PyTorch's L-BFGS (torch.optim.LBFGS, 1.13) over a flat float64 vector, shared by
// sl.optim.LBFGS (parameters are tensors) and the learner NCA (the variable is a
// Float64Array; MLKR follows metric-learn onto scipy's L-BFGS-B, lbfgsb.ts). The two-loop recursion runs in wasm (f64_lbfgs_direction) over a ring of
// history rows kept in wasm memory; the line search is scalar logic and stays here.
import { f64, getEngine } from '../wasm/instance';

export interface LbfgsSettings {
  lr: number;
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: null | 'strong_wolfe';
}

/** What the algorithm needs from the variable: evaluate at the current point, step along d, save and restore. */
export interface LbfgsProblem {
  /** Loss at the current point; also fills `grad` (length n). */
  evaluate(grad: Float64Array): number;
  /** x += t·d */
  addStep(t: number, d: Float64Array): void;
  save(): unknown;
  restore(saved: unknown): void;
}

/** The state torch keeps between step() calls: the history ring in wasm memory and the last direction. */
export class LbfgsState {
  readonly n: number;
  readonly cap: number;
  funcEvals = 0;
  nIter = 0;
  private d: Float64Array<ArrayBufferLike> | null = null;
  private t = 0;
  private prevFlatGrad: Float64Array | null = null;
  private prevLoss = 0;
  private hDiag = 1;
  private count = 0;
  private first = 0;
  // wasm buffers: S, Y [cap, n]; rho, al [cap]; g, dir [n]
  private readonly ptrs: { S: number; Y: number; rho: number; al: number; g: number; dir: number };
  private disposed = false;

  constructor(n: number, historySize: number) {
    this.n = n;
    this.cap = historySize;
    const a = getEngine().alloc;
    this.ptrs = { S: a.alloc(8 * n * historySize), Y: a.alloc(8 * n * historySize), rho: a.alloc(8 * historySize), al: a.alloc(8 * historySize), g: a.alloc(8 * n), dir: a.alloc(8 * n) };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const a = getEngine().alloc;
    for (const p of Object.values(this.ptrs)) a.free(p);
  }

  private push(s: Float64Array, y: Float64Array, ys: number): void {
    const v = f64();
    let slot: number;
    if (this.count === this.cap) {
      slot = this.first;
      this.first = (this.first + 1) % this.cap;
    } else slot = (this.first + this.count++) % this.cap;
    v.set(s, (this.ptrs.S >>> 3) + slot * this.n);
    v.set(y, (this.ptrs.Y >>> 3) + slot * this.n);
    v[(this.ptrs.rho >>> 3) + slot] = 1 / ys;
  }

  private direction(g: Float64Array): Float64Array {
    const k = getEngine().k;
    f64().set(g, this.ptrs.g >>> 3);
    k.f64_lbfgs_direction(this.ptrs.g, this.ptrs.dir, this.ptrs.S, this.ptrs.Y, this.ptrs.rho, this.ptrs.al, this.count, this.first, this.cap, this.n, this.hDiag);
    const o = this.ptrs.dir >>> 3;
    return f64().slice(o, o + this.n);
  }

  /** One torch LBFGS.step(): up to maxIter iterations; returns the loss at the starting point. */
  step(problem: LbfgsProblem, o: LbfgsSettings): number {
    const n = this.n;
    let flatGrad: Float64Array<ArrayBufferLike> = new Float64Array(n);
    const origLoss = problem.evaluate(flatGrad);
    let loss = origLoss;
    let currentEvals = 1;
    this.funcEvals++;
    if (absMax(flatGrad) <= o.toleranceGrad) return origLoss;
    let d = this.d, t = this.t;
    let nIter = 0;
    while (nIter < o.maxIter) {
      nIter++;
      this.nIter++;
      if (this.nIter === 1) {
        d = flatGrad.map((x) => -x);
        this.count = 0;
        this.first = 0;
        this.hDiag = 1;
      } else {
        const y = new Float64Array(n), s = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          y[i] = flatGrad[i] - this.prevFlatGrad![i];
          s[i] = d![i] * t;
        }
        const ys = dot(y, s);
        if (ys > 1e-10) {
          this.push(s, y, ys);
          this.hDiag = ys / dot(y, y);
        }
        d = this.direction(flatGrad);
      }
      this.prevFlatGrad = flatGrad.slice();
      this.prevLoss = loss;
      t = this.nIter === 1 ? Math.min(1, 1 / absSum(flatGrad)) * o.lr : o.lr;
      const gtd = dot(flatGrad, d!);
      if (gtd > -o.toleranceChange) break;
      let lsEvals = 0;
      let optCond = false;
      if (o.lineSearchFn === 'strong_wolfe') {
        const x0 = problem.save();
        const r = strongWolfe(problem, x0, t, d!, loss, flatGrad, gtd, o.toleranceChange);
        loss = r.f;
        flatGrad = r.g;
        t = r.t;
        lsEvals = r.evals;
        problem.restore(x0);
        problem.addStep(t, d!);
        optCond = absMax(flatGrad) <= o.toleranceGrad;
      } else {
        problem.addStep(t, d!);
        if (nIter !== o.maxIter) {
          loss = problem.evaluate(flatGrad);
          optCond = absMax(flatGrad) <= o.toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      this.funcEvals += lsEvals;
      if (nIter === o.maxIter) break;
      if (currentEvals >= o.maxEval) break;
      if (optCond) break;
      let dt = 0;
      for (let i = 0; i < n; i++) dt = Math.max(dt, Math.abs(d![i] * t));
      if (dt <= o.toleranceChange) break;
      if (Math.abs(loss - this.prevLoss) < o.toleranceChange) break;
    }
    this.d = d;
    this.t = t;
    return origLoss;
  }
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
export function absMax(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
function absSum(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += Math.abs(a[i]);
  return m;
}

function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

/** torch's _strong_wolfe (c1 1e-4, c2 0.9, at most 25 evaluations). */
function strongWolfe(problem: LbfgsProblem, x0: unknown, t: number, d: Float64Array, f: number, g: Float64Array, gtd: number, tolChange: number, c1 = 1e-4, c2 = 0.9, maxLs = 25): { f: number; g: Float64Array; t: number; evals: number } {
  const dNorm = absMax(d);
  const evalAt = (step: number): [number, Float64Array] => {
    problem.restore(x0);
    problem.addStep(step, d);
    const gr = new Float64Array(d.length);
    const fv = problem.evaluate(gr);
    return [fv, gr];
  };
  let [fNew, gNew] = evalAt(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let ls = 0;
  let br: number[] = [], brF: number[] = [], brG: Float64Array[] = [], brGtd: number[] = [];
  while (ls < maxLs) {
    if (fNew > f + c1 * t * gtd || (ls > 1 && fNew >= fPrev)) {
      br = [tPrev, t]; brF = [fPrev, fNew]; brG = [gPrev, gNew]; brGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      br = [t]; brF = [fNew]; brG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      br = [tPrev, t]; brF = [fPrev, fNew]; brG = [gPrev, gNew]; brGtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev), maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew;
    [fNew, gNew] = evalAt(t);
    evals++;
    gtdNew = dot(gNew, d);
    ls++;
  }
  if (ls === maxLs) {
    br = [0, t]; brF = [f, fNew]; brG = [g, gNew]; brGtd = [gtd, gtdNew];
  }
  let insuf = false;
  let [low, high] = brF[0] <= brF[brF.length - 1] ? [0, 1] : [1, 0];
  while (!done && ls < maxLs) {
    if (Math.abs(br[1] - br[0]) * dNorm < tolChange) break;
    t = cubicInterpolate(br[0], brF[0], brGtd[0], br[1], brF[1], brGtd[1]);
    const bMax = Math.max(br[0], br[1]), bMin = Math.min(br[0], br[1]);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insuf || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insuf = false;
      } else insuf = true;
    } else insuf = false;
    [fNew, gNew] = evalAt(t);
    evals++;
    gtdNew = dot(gNew, d);
    ls++;
    if (fNew > f + c1 * t * gtd || fNew >= brF[low]) {
      br[high] = t; brF[high] = fNew; brG[high] = gNew; brGtd[high] = gtdNew;
      [low, high] = brF[0] <= brF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (br[high] - br[low]) >= 0) {
        br[high] = br[low]; brF[high] = brF[low]; brG[high] = brG[low]; brGtd[high] = brGtd[low];
      }
      br[low] = t; brF[low] = fNew; brG[low] = gNew; brGtd[low] = gtdNew;
    }
  }
  return { f: brF[low], g: brG[low], t: br[low], evals };
}
