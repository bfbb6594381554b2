// Dense symmetric linear algebra in float64 for the classic metric learners (sl.learners):
// the symmetric eigenproblem (cyclic Jacobi; the tridiagonal QL variant and the PSD projection
// are in eigen-tridiag.ts), the generalised one A v = λ B v (through the Cholesky factor of
// B), the pseudo-inverse, Cholesky and log-det, and the graphical lasso (scikit-learn's coordinate-descent form). Everything is float64: the
// learners' matrices are d × d with d an input dimension (≤ a few hundred), and an inverse
// or an eigenvector of an ill-conditioned matrix loses float32 in a few steps.
//
// Layout: row-major [d, d] f64. Eigenvectors are the columns of V (V[i, j] is component i
// of vector j), eigenvalues ascending, as numpy.linalg.eigh returns them.
import { f64_sym_eig__tridiag } from './eigen-tridiag';

// @ts-ignore: decorator
@inline function at(p: usize, d: i32, i: i32, j: i32): usize {
  return p + ((<usize>i * d + j) << 3);
}

// Cyclic Jacobi on the symmetric a [d, d]: w [d] ascending, v [d, d] orthonormal columns.
// Jacobi rotations keep small eigenvalues to high relative accuracy (tridiagonal QR does
// not on graded matrices), which the inverse square roots of RCA and the pseudo-inverse of
// Covariance need. ws: 8·d² bytes (the working copy). Returns the number of sweeps, or −1
// when 60 sweeps did not bring the off-diagonal mass below the f64 rounding of the diagonal.
export function f64_sym_eig(a: usize, w: usize, v: usize, d: i32, ws: usize): i32 {
  const A = ws;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      // symmetrise: (a + aᵀ)/2, so a matrix symmetric to rounding is treated as symmetric
      store<f64>(at(A, d, i, j), 0.5 * (load<f64>(at(a, d, i, j)) + load<f64>(at(a, d, j, i))));
      store<f64>(at(v, d, i, j), i == j ? 1.0 : 0.0);
    }
  let fro: f64 = 0;
  for (let i = 0; i < d * d; i++) {
    const x = load<f64>(A + (<usize>i << 3));
    fro += x * x;
  }
  fro = Math.sqrt(fro);
  let sweeps = 0;
  let converged = false;
  for (; sweeps < 60; sweeps++) {
    let off: f64 = 0;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const x = load<f64>(at(A, d, p, q));
        off += x * x;
      }
    // off-diagonal mass below 1e-30 of the whole: nothing left that f64 eigenvalues can see
    if (off == 0 || Math.sqrt(off) <= 1e-30 * fro) {
      converged = true;
      break;
    }
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = load<f64>(at(A, d, p, q));
        if (apq == 0) continue;
        const app = load<f64>(at(A, d, p, p)), aqq = load<f64>(at(A, d, q, q));
        // negligible against both diagonal entries after a few sweeps: zero it (Rutishauser)
        if (sweeps > 3) {
          const g = 100 * Math.abs(apq);
          if (Math.abs(app) + g == Math.abs(app) && Math.abs(aqq) + g == Math.abs(aqq)) {
            store<f64>(at(A, d, p, q), 0);
            store<f64>(at(A, d, q, p), 0);
            continue;
          }
        }
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1.0 : -1.0) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = load<f64>(at(A, d, k, p)), akq = load<f64>(at(A, d, k, q));
          store<f64>(at(A, d, k, p), c * akp - s * akq);
          store<f64>(at(A, d, k, q), s * akp + c * akq);
        }
        for (let k = 0; k < d; k++) {
          const apk = load<f64>(at(A, d, p, k)), aqk = load<f64>(at(A, d, q, k));
          store<f64>(at(A, d, p, k), c * apk - s * aqk);
          store<f64>(at(A, d, q, k), s * apk + c * aqk);
        }
        store<f64>(at(A, d, p, q), 0);
        store<f64>(at(A, d, q, p), 0);
        for (let k = 0; k < d; k++) {
          const vkp = load<f64>(at(v, d, k, p)), vkq = load<f64>(at(v, d, k, q));
          store<f64>(at(v, d, k, p), c * vkp - s * vkq);
          store<f64>(at(v, d, k, q), s * vkp + c * vkq);
        }
      }
    }
  }
  // sort ascending (selection sort: d is small), moving the vector columns along
  for (let i = 0; i < d; i++) store<f64>(w + (<usize>i << 3), load<f64>(at(A, d, i, i)));
  for (let i = 0; i < d - 1; i++) {
    let m = i;
    for (let j = i + 1; j < d; j++) if (load<f64>(w + (<usize>j << 3)) < load<f64>(w + (<usize>m << 3))) m = j;
    if (m != i) {
      const t = load<f64>(w + (<usize>i << 3));
      store<f64>(w + (<usize>i << 3), load<f64>(w + (<usize>m << 3)));
      store<f64>(w + (<usize>m << 3), t);
      for (let k = 0; k < d; k++) {
        const x = load<f64>(at(v, d, k, i));
        store<f64>(at(v, d, k, i), load<f64>(at(v, d, k, m)));
        store<f64>(at(v, d, k, m), x);
      }
    }
  }
  return converged ? sweeps : -1;
}

// L (lower, zeros above) with a = L·Lᵀ for symmetric a [d, d] (lower triangle read).
// Returns −1, or the index of the first pivot that is not > relTol · a[k, k] (not positive
// definite to that tolerance; relTol 0 asks only for positive pivots).
export function f64_cholesky(a: usize, l: usize, d: i32, relTol: f64): i32 {
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < j; i++) store<f64>(at(l, d, i, j), 0);
    const ajj = load<f64>(at(a, d, j, j));
    let s = ajj;
    for (let k = 0; k < j; k++) {
      const x = load<f64>(at(l, d, j, k));
      s -= x * x;
    }
    if (!(s > relTol * ajj) || !(s > 0)) return j;
    const ljj = Math.sqrt(s);
    store<f64>(at(l, d, j, j), ljj);
    for (let i = j + 1; i < d; i++) {
      let t = load<f64>(at(a, d, i, j));
      for (let k = 0; k < j; k++) t -= load<f64>(at(l, d, i, k)) * load<f64>(at(l, d, j, k));
      store<f64>(at(l, d, i, j), t / ljj);
    }
  }
  return -1;
}

// log det a for symmetric positive-definite a, as 2 Σ log L[k, k]; NaN when a is not
// positive definite. ws: 8·d² bytes.
export function f64_logdet_spd(a: usize, d: i32, ws: usize): f64 {
  if (f64_cholesky(a, ws, d, 0) >= 0) return NaN;
  let s: f64 = 0;
  for (let k = 0; k < d; k++) s += Math.log(load<f64>(at(ws, d, k, k)));
  return 2 * s;
}

// The generalised symmetric problem a v = λ b v with b positive definite: with b = L·Lᵀ,
// C = L⁻¹ a L⁻ᵀ is symmetric, C y = λ y, and v = L⁻ᵀ y, so the columns of v are
// b-orthonormal (vᵀ b v = I), as scipy.linalg.eigh(a, b) returns them. w ascending.
// ws: 24·d² bytes (the tridiagonal variant 8·(4d² + 4d)). Returns −1 on success, −2 when the eigen-iteration did not converge,
// or the index ≥ 0 of the failing pivot of b's Cholesky factor (b not positive definite).
export function f64_sym_eig_generalized(a: usize, b: usize, w: usize, v: usize, d: i32, ws: usize): i32 {
  return symEigGeneralized(a, b, w, v, d, ws, false);
}

// As f64_sym_eig_generalized, the inner symmetric problem by tridiagonal QL (f64_sym_eig__tridiag):
// several times faster, eigenvalues to eps·‖L⁻¹aL⁻ᵀ‖ rather than Jacobi's relative accuracy (LFDA
// keeps the largest ones). ws: 8·(4d² + 4d) bytes; same returns.
export function f64_sym_eig_generalized__tridiag(a: usize, b: usize, w: usize, v: usize, d: i32, ws: usize): i32 {
  return symEigGeneralized(a, b, w, v, d, ws, true);
}

// row ← (row − Σ_{k0 ≤ k < k1} L(i, k)·X[k, :]) / L[i, i] over the d entries of row, in order of k, each
// term one rounded multiply and one rounded subtraction: bit for bit the scalar loop per entry.
// L(i, k) = L[i, k] for the forward substitution (k < i), L[k, i] for the backward one (k > i).
// @ts-ignore: decorator
@inline function substituteRow(row: usize, L: usize, d: i32, i: i32, k0: i32, k1: i32, X: usize): void {
  for (let k = k0; k < k1; k++) {
    const lik = load<f64>(k < i ? at(L, d, i, k) : at(L, d, k, i));
    const c = f64x2.splat(lik);
    const xk = at(X, d, k, 0);
    let j = 0;
    for (; j + 2 <= d; j += 2) v128.store(row + (<usize>j << 3), f64x2.sub(v128.load(row + (<usize>j << 3)), f64x2.mul(c, v128.load(xk + (<usize>j << 3)))));
    if (j < d) store<f64>(row + (<usize>j << 3), load<f64>(row + (<usize>j << 3)) - lik * load<f64>(xk + (<usize>j << 3)));
  }
  const p = f64x2.splat(load<f64>(at(L, d, i, i)));
  let j = 0;
  for (; j + 2 <= d; j += 2) v128.store(row + (<usize>j << 3), f64x2.div(v128.load(row + (<usize>j << 3)), p));
  if (j < d) store<f64>(row + (<usize>j << 3), load<f64>(row + (<usize>j << 3)) / load<f64>(at(L, d, i, i)));
}

// @ts-ignore: decorator
@inline function symEigGeneralized(a: usize, b: usize, w: usize, v: usize, d: i32, ws: usize, tridiag: bool): i32 {
  const L = ws, C = ws + ((<usize>d * d) << 3), T = C + ((<usize>d * d) << 3);
  const r = f64_cholesky(b, L, d, 0);
  if (r >= 0) return r;
  // T = L⁻¹ a, then C = L⁻¹ Tᵀ (a symmetric: (L⁻¹a)ᵀ = a L⁻ᵀ), by forward substitution on rows
  for (let i = 0; i < d; i++) {
    const ti = at(T, d, i, 0);
    memory.copy(ti, at(a, d, i, 0), <usize>d << 3);
    substituteRow(ti, L, d, i, 0, i, T);
  }
  for (let i = 0; i < d; i++) {
    const ci = at(C, d, i, 0);
    for (let j = 0; j < d; j++) store<f64>(ci + (<usize>j << 3), load<f64>(at(T, d, j, i)));
    substituteRow(ci, L, d, i, 0, i, C);
  }
  if ((tridiag ? f64_sym_eig__tridiag(C, w, T, d, T + ((<usize>d * d) << 3)) : f64_sym_eig(C, w, T, d, v)) < 0) return -2;
  // v = L⁻ᵀ Y (back substitution on rows, Y = T): v_i = (y_i − Σ_{k>i} L[k, i]·v_k) / L[i, i]
  for (let i = d - 1; i >= 0; i--) {
    const vi = at(v, d, i, 0);
    memory.copy(vi, at(T, d, i, 0), <usize>d << 3);
    substituteRow(vi, L, d, i, i + 1, d, v);
  }
  return -1;
}

// out = V · diag(e) · Vᵀ, exactly symmetric (the lower triangle computed, mirrored).
// @ts-ignore: decorator
@inline function rebuild(V: usize, e: usize, out: usize, d: i32): void {
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s: f64 = 0;
      for (let k = 0; k < d; k++) s += load<f64>(at(V, d, i, k)) * load<f64>(e + (<usize>k << 3)) * load<f64>(at(V, d, j, k));
      store<f64>(at(out, d, i, j), s);
      store<f64>(at(out, d, j, i), s);
    }
}

// out = Σ_{|w_k| > rtol·max|w|} v_k v_kᵀ / w_k: the pseudo-inverse of symmetric a
// (scipy.linalg.pinvh's cut-off). ws: 16·d² + 8·d bytes. Returns the rank kept, or −2
// when the eigen-iteration did not converge.
export function f64_pinvh(a: usize, out: usize, d: i32, rtol: f64, ws: usize): i32 {
  const V = ws, W = ws + ((<usize>d * d) << 3), E = W + ((<usize>d * d) << 3);
  if (f64_sym_eig(a, E, V, d, W) < 0) return -2;
  let big: f64 = 0;
  for (let k = 0; k < d; k++) big = Math.max(big, Math.abs(load<f64>(E + (<usize>k << 3))));
  let rank = 0;
  for (let k = 0; k < d; k++) {
    const e = load<f64>(E + (<usize>k << 3));
    if (Math.abs(e) > rtol * big) {
      store<f64>(E + (<usize>k << 3), 1 / e);
      rank++;
    } else store<f64>(E + (<usize>k << 3), 0);
  }
  rebuild(V, E, out, d);
  return rank;
}

// ---- the graphical lasso (SDML) ----

// Coordinate descent for min_w ½ wᵀQw − qᵀw + alpha·|w|₁ (scikit-learn's
// enet_coordinate_descent_gram with l2 = 0, cyclic, not positive): w [m] in/out, Q [m, m],
// q [m]; H [m] scratch (Qw kept current), stops on the duality gap < tol·qᵀq.
// @ts-ignore: decorator
@inline function lassoGram(w: usize, Q: usize, q: usize, m: i32, alpha: f64, maxIter: i32, tol: f64, H: usize): void {
  let yNorm2: f64 = 0;
  for (let i = 0; i < m; i++) yNorm2 += load<f64>(q + (<usize>i << 3)) * load<f64>(q + (<usize>i << 3));
  const dwTol = tol;
  const gapTol = tol * yNorm2;
  for (let i = 0; i < m; i++) {
    let s: f64 = 0;
    for (let j = 0; j < m; j++) s += load<f64>(at(Q, m, i, j)) * load<f64>(w + (<usize>j << 3));
    store<f64>(H + (<usize>i << 3), s);
  }
  for (let it = 0; it < maxIter; it++) {
    let wMax: f64 = 0, dwMax: f64 = 0;
    for (let ii = 0; ii < m; ii++) {
      const qii = load<f64>(at(Q, m, ii, ii));
      if (qii == 0) continue;
      const wOld = load<f64>(w + (<usize>ii << 3));
      if (wOld != 0) for (let j = 0; j < m; j++) store<f64>(H + (<usize>j << 3), load<f64>(H + (<usize>j << 3)) - wOld * load<f64>(at(Q, m, ii, j)));
      const t = load<f64>(q + (<usize>ii << 3)) - load<f64>(H + (<usize>ii << 3));
      const mag = Math.abs(t) - alpha;
      const wNew = mag > 0 ? (t >= 0 ? mag : -mag) / qii : 0.0;
      store<f64>(w + (<usize>ii << 3), wNew);
      if (wNew != 0) for (let j = 0; j < m; j++) store<f64>(H + (<usize>j << 3), load<f64>(H + (<usize>j << 3)) + wNew * load<f64>(at(Q, m, ii, j)));
      dwMax = Math.max(dwMax, Math.abs(wNew - wOld));
      wMax = Math.max(wMax, Math.abs(wNew));
    }
    if (wMax == 0 || dwMax / wMax < dwTol || it == maxIter - 1) {
      let qw: f64 = 0, wH: f64 = 0, dual: f64 = 0, l1: f64 = 0;
      for (let i = 0; i < m; i++) {
        const wi = load<f64>(w + (<usize>i << 3)), hi = load<f64>(H + (<usize>i << 3)), qi = load<f64>(q + (<usize>i << 3));
        qw += wi * qi;
        wH += wi * hi;
        dual = Math.max(dual, Math.abs(qi - hi));
        l1 += Math.abs(wi);
      }
      const r2 = yNorm2 + wH - 2 * qw;
      let c: f64 = 1, gap = r2;
      if (dual > alpha) {
        c = alpha / dual;
        gap = 0.5 * (r2 + r2 * c * c);
      }
      gap += alpha * l1 - c * yNorm2 + c * qw;
      if (gap < gapTol) break;
    }
  }
}

// The graphical lasso (scikit-learn 1.2's graphical_lasso, mode 'cd'): the sparse inverse
// covariance prec [d, d] and its covariance cov [d, d] for the empirical covariance emp, an
// l1 weight alpha > 0 off the diagonal, starting from covInit (cov_init; off-diagonal
// shrunk by 0.95 as scikit-learn does). Each column is a lasso solved by lassoGram.
// ws: 8·(3d² + 8d) bytes. Returns the outer iterations (≥ 1) when the dual gap fell below
// tol, 0 when maxIter passed without that (the result is still the last iterate), −1 when
// the system is too ill-conditioned (a non-finite precision, or one not positive definite).
export function f64_graphical_lasso(emp: usize, covInit: usize, cov: usize, prec: usize, d: i32, alpha: f64, maxIter: i32, tol: f64, enetTol: f64, ws: usize): i32 {
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) store<f64>(at(cov, d, i, j), i == j ? load<f64>(at(emp, d, i, i)) : 0.95 * load<f64>(at(covInit, d, i, j)));
  if (f64_pinvh(cov, prec, d, <f64>d * 2.220446049250313e-16, ws) < 0) return -1;
  const m = d - 1;
  const Q = ws, w = Q + ((<usize>d * d) << 3), q = w + (<usize>d << 3), H = q + (<usize>d << 3);
  const eps = 2.220446049250313e-16;
  for (let it = 0; it < maxIter; it++) {
    for (let idx = 0; idx < d; idx++) {
      for (let a = 0; a < m; a++) {
        const ia = a < idx ? a : a + 1;
        for (let b = 0; b < m; b++) store<f64>(at(Q, m, a, b), load<f64>(at(cov, d, ia, b < idx ? b : b + 1)));
        store<f64>(q + (<usize>a << 3), load<f64>(at(emp, d, idx, ia)));
        store<f64>(w + (<usize>a << 3), -load<f64>(at(prec, d, ia, idx)) / (load<f64>(at(prec, d, idx, idx)) + 1000 * eps));
      }
      lassoGram(w, Q, q, m, alpha, maxIter, enetTol, H);
      let s: f64 = 0;
      for (let a = 0; a < m; a++) s += load<f64>(at(cov, d, a < idx ? a : a + 1, idx)) * load<f64>(w + (<usize>a << 3));
      const pii = 1 / (load<f64>(at(cov, d, idx, idx)) - s);
      store<f64>(at(prec, d, idx, idx), pii);
      for (let a = 0; a < m; a++) {
        const ia = a < idx ? a : a + 1;
        const pw = -pii * load<f64>(w + (<usize>a << 3));
        store<f64>(at(prec, d, ia, idx), pw);
        store<f64>(at(prec, d, idx, ia), pw);
      }
      // cov's row/column idx = Q w (H holds Qw after the lasso, but is recomputed for exactness)
      for (let a = 0; a < m; a++) {
        let t: f64 = 0;
        for (let b = 0; b < m; b++) t += load<f64>(at(Q, m, a, b)) * load<f64>(w + (<usize>b << 3));
        const ia = a < idx ? a : a + 1;
        store<f64>(at(cov, d, idx, ia), t);
        store<f64>(at(cov, d, ia, idx), t);
      }
    }
    let total: f64 = 0, gap: f64 = 0, off: f64 = 0;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        const p = load<f64>(at(prec, d, i, j));
        total += p;
        gap += load<f64>(at(emp, d, i, j)) * p;
        if (i != j) off += Math.abs(p);
      }
    if (!isFinite(total)) return -1;
    gap += alpha * off - <f64>d;
    if (Math.abs(gap) < tol) return it + 1;
    if (it > 0 && isNaN(f64_logdet_spd(prec, d, Q))) return -1;
  }
  return 0;
}

// ---- L-BFGS (sl.optim.LBFGS, NCA, MLKR) ----

// The two-loop recursion: dir = −H·g for the L-BFGS inverse-Hessian estimate H built from
// `count` pairs (s_i, y_i), oldest first, held in a ring of `cap` rows of S and Y [cap, n]
// starting at row `first`; rho [cap] = 1/(y_iᵀs_i); al [cap] scratch; hDiag = yᵀs/yᵀy of
// the newest pair (the initial H = hDiag·I). PyTorch's LBFGS order of operations.
export function f64_lbfgs_direction(g: usize, dir: usize, S: usize, Y: usize, rho: usize, al: usize, count: i32, first: i32, cap: i32, n: i32, hDiag: f64): void {
  for (let j = 0; j < n; j++) store<f64>(dir + (<usize>j << 3), -load<f64>(g + (<usize>j << 3)));
  for (let i = count - 1; i >= 0; i--) {
    const slot = (first + i) % cap;
    const s = S + ((<usize>slot * n) << 3), y = Y + ((<usize>slot * n) << 3);
    let t: f64 = 0;
    for (let j = 0; j < n; j++) t += load<f64>(s + (<usize>j << 3)) * load<f64>(dir + (<usize>j << 3));
    const a = t * load<f64>(rho + (<usize>slot << 3));
    store<f64>(al + (<usize>slot << 3), a);
    for (let j = 0; j < n; j++) store<f64>(dir + (<usize>j << 3), load<f64>(dir + (<usize>j << 3)) - a * load<f64>(y + (<usize>j << 3)));
  }
  for (let j = 0; j < n; j++) store<f64>(dir + (<usize>j << 3), load<f64>(dir + (<usize>j << 3)) * hDiag);
  for (let i = 0; i < count; i++) {
    const slot = (first + i) % cap;
    const s = S + ((<usize>slot * n) << 3), y = Y + ((<usize>slot * n) << 3);
    let t: f64 = 0;
    for (let j = 0; j < n; j++) t += load<f64>(y + (<usize>j << 3)) * load<f64>(dir + (<usize>j << 3));
    const c = load<f64>(al + (<usize>slot << 3)) - t * load<f64>(rho + (<usize>slot << 3));
    for (let j = 0; j < n; j++) store<f64>(dir + (<usize>j << 3), load<f64>(dir + (<usize>j << 3)) + c * load<f64>(s + (<usize>j << 3)));
  }
}

// ---- ITML's Bregman projections ----

// One sweep of ITML (metric-learn's cyclic projections) over m constraints, the first nPos
// similar, the rest dissimilar: for each difference v (rows of diffs [m, d]), with
// wtw = vᵀAv, the multiplier step α (clipped by lambda[c]), the bound update and the rank-one
// update A += β (Av)(Av)ᵀ. A [d, d] symmetric in place; lambda, bhat [m] in place; av [d]
// scratch. invGamma = 1/γ (0 for γ = ∞). f64x2 SIMD over the rows, scalar tail.
export function f64_itml_sweep(A: usize, diffs: usize, lambda: usize, bhat: usize, m: i32, nPos: i32, d: i32, gammaProj: f64, invGamma: f64, av: usize): void {
  const d2 = d & ~1, d4 = d & ~3;
  for (let c = 0; c < m; c++) {
    const v = diffs + ((<usize>c * d) << 3);
    // Av four rows at a time (each load of v serves four rows)
    let i = 0;
    for (; i < d4; i += 4) {
      const r0 = A + ((<usize>i * d) << 3), r1 = r0 + (<usize>d << 3), r2 = r1 + (<usize>d << 3), r3 = r2 + (<usize>d << 3);
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      for (let j = 0; j < d2; j += 2) {
        const x = v128.load(v + (<usize>j << 3));
        s0 = f64x2.add(s0, f64x2.mul(v128.load(r0 + (<usize>j << 3)), x));
        s1 = f64x2.add(s1, f64x2.mul(v128.load(r1 + (<usize>j << 3)), x));
        s2 = f64x2.add(s2, f64x2.mul(v128.load(r2 + (<usize>j << 3)), x));
        s3 = f64x2.add(s3, f64x2.mul(v128.load(r3 + (<usize>j << 3)), x));
      }
      let t0 = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1), t1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
      let t2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1), t3 = f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1);
      if (d2 < d) {
        const x = load<f64>(v + (<usize>d2 << 3));
        t0 += load<f64>(r0 + (<usize>d2 << 3)) * x;
        t1 += load<f64>(r1 + (<usize>d2 << 3)) * x;
        t2 += load<f64>(r2 + (<usize>d2 << 3)) * x;
        t3 += load<f64>(r3 + (<usize>d2 << 3)) * x;
      }
      store<f64>(av + (<usize>i << 3), t0);
      store<f64>(av + (<usize>(i + 1) << 3), t1);
      store<f64>(av + (<usize>(i + 2) << 3), t2);
      store<f64>(av + (<usize>(i + 3) << 3), t3);
    }
    for (; i < d; i++) {
      const row = A + ((<usize>i * d) << 3);
      let acc = f64x2.splat(0);
      for (let j = 0; j < d2; j += 2) acc = f64x2.add(acc, f64x2.mul(v128.load(row + (<usize>j << 3)), v128.load(v + (<usize>j << 3))));
      let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      if (d2 < d) s += load<f64>(row + (<usize>d2 << 3)) * load<f64>(v + (<usize>d2 << 3));
      store<f64>(av + (<usize>i << 3), s);
    }
    let wtw: f64 = 0;
    for (let i = 0; i < d; i++) wtw += load<f64>(v + (<usize>i << 3)) * load<f64>(av + (<usize>i << 3));
    const lp = lambda + (<usize>c << 3), bp = bhat + (<usize>c << 3);
    const lam = load<f64>(lp), b = load<f64>(bp);
    let beta: f64;
    if (c < nPos) {
      const alpha = Math.min(lam, gammaProj * (1 / wtw - 1 / b));
      store<f64>(lp, lam - alpha);
      store<f64>(bp, 1 / (1 / b + alpha * invGamma));
      beta = alpha / (1 - alpha * wtw);
    } else {
      const alpha = Math.min(lam, gammaProj * (1 / b - 1 / wtw));
      store<f64>(lp, lam - alpha);
      store<f64>(bp, 1 / (1 / b - alpha * invGamma));
      beta = -alpha / (1 + alpha * wtw);
    }
    // an inactive constraint (α = 0: λ = 0 and the bound holds) leaves A as it is: metric-learn
    // adds the zero outer product, which changes no bit of A
    if (beta == 0) continue;
    for (let i = 0; i < d; i++) {
      const row = A + ((<usize>i * d) << 3);
      const s = beta * load<f64>(av + (<usize>i << 3));
      const sv = f64x2.splat(s);
      let j = 0;
      for (; j + 2 <= d; j += 2) v128.store(row + (<usize>j << 3), f64x2.add(v128.load(row + (<usize>j << 3)), f64x2.mul(sv, v128.load(av + (<usize>j << 3)))));
      for (; j < d; j++) store<f64>(row + (<usize>j << 3), load<f64>(row + (<usize>j << 3)) + s * load<f64>(av + (<usize>j << 3)));
    }
  }
}
