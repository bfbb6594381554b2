// The symmetric eigenproblem by Householder tridiagonalisation and the implicit QL iteration,
// with f64x2 SIMD, and what repeats it thousands of times: projection onto the PSD cone (MMC,
// LSML) and MMC's alternating projections. About 9d³ flops against Jacobi's ~30d³; absolute
// accuracy (eps·‖a‖), not Jacobi's relative accuracy on tiny eigenvalues, which a projection
// does not need (assembly/kernels/eigen.ts keeps Jacobi for RCA and the pseudo-inverse).
//
// Every inner loop runs along a contiguous row: the reduction works on the lower triangle by
// rows, the eigenvectors are held as the rows of X (a QL rotation then combines two rows), and
// the reflectors are kept in the unused upper triangle.

// @ts-ignore: decorator
@inline function P(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// Σ x[j]·y[j], j < m.
// @ts-ignore: decorator
@inline function dot(x: usize, y: usize, m: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    a0 = f64x2.add(a0, f64x2.mul(v128.load(P(x, j)), v128.load(P(y, j))));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(P(x, j), 16), v128.load(P(y, j), 16)));
  }
  if (j + 2 <= m) {
    a0 = f64x2.add(a0, f64x2.mul(v128.load(P(x, j)), v128.load(P(y, j))));
    j += 2;
  }
  let s = hsum(f64x2.add(a0, a1));
  if (j < m) s += load<f64>(P(x, j)) * load<f64>(P(y, j));
  return s;
}

// y[j] += a·x[j], j < m.
// @ts-ignore: decorator
@inline function axpy(y: usize, a: f64, x: usize, m: i32): void {
  const av = f64x2.splat(a);
  let j = 0;
  for (; j + 2 <= m; j += 2) v128.store(P(y, j), f64x2.add(v128.load(P(y, j)), f64x2.mul(av, v128.load(P(x, j)))));
  if (j < m) store<f64>(P(y, j), load<f64>(P(y, j)) + a * load<f64>(P(x, j)));
}

// √(x² + y²): Math.hypot's scaling only where the squares could overflow or lose precision
// to underflow (a few ulps apart from it elsewhere, and several times faster).
// @ts-ignore: decorator
@inline function hyp(x: f64, y: f64): f64 {
  const s = x * x + y * y;
  return s < 1e300 && s > 1e-300 ? Math.sqrt(s) : Math.hypot(x, y);
}

// The lower triangle (j ≤ i) of rows at B, rowBytes apart: B ∓= a bᵀ + c eᵀ (minus with sub).
// The symmetric rank-2 update of both the tridiagonal reduction and the PSD rebuild. Rows go two
// at a time (i even), sharing their loads of b and e.
// @ts-ignore: decorator
@inline function rank2Lower(B: usize, rowBytes: usize, n: i32, sub: bool, a: usize, b: usize, c: usize, e: usize): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const b0 = B + <usize>i * rowBytes, b1 = b0 + rowBytes;
    const a0 = load<f64>(P(a, i)), c0 = load<f64>(P(c, i)), a1 = load<f64>(P(a, i + 1)), c1 = load<f64>(P(c, i + 1));
    const av0 = f64x2.splat(a0), cv0 = f64x2.splat(c0), av1 = f64x2.splat(a1), cv1 = f64x2.splat(c1);
    // columns j < i (an even count) of both rows
    for (let j = 0; j < i; j += 2) {
      const bv = v128.load(P(b, j)), ev = v128.load(P(e, j));
      const x0 = f64x2.add(f64x2.mul(av0, bv), f64x2.mul(cv0, ev)), x1 = f64x2.add(f64x2.mul(av1, bv), f64x2.mul(cv1, ev));
      v128.store(P(b0, j), sub ? f64x2.sub(v128.load(P(b0, j)), x0) : f64x2.add(v128.load(P(b0, j)), x0));
      v128.store(P(b1, j), sub ? f64x2.sub(v128.load(P(b1, j)), x1) : f64x2.add(v128.load(P(b1, j)), x1));
    }
    // row i's diagonal, row i + 1's columns i and i + 1
    const x = a0 * load<f64>(P(b, i)) + c0 * load<f64>(P(e, i));
    store<f64>(P(b0, i), sub ? load<f64>(P(b0, i)) - x : load<f64>(P(b0, i)) + x);
    const bv = v128.load(P(b, i)), ev = v128.load(P(e, i));
    const x1 = f64x2.add(f64x2.mul(av1, bv), f64x2.mul(cv1, ev));
    v128.store(P(b1, i), sub ? f64x2.sub(v128.load(P(b1, i)), x1) : f64x2.add(v128.load(P(b1, i)), x1));
  }
  if (i < n) {
    const bi = B + <usize>i * rowBytes;
    const ai = load<f64>(P(a, i)), ci = load<f64>(P(c, i));
    const av = f64x2.splat(ai), cv = f64x2.splat(ci);
    let j = 0;
    for (; j < i; j += 2) {
      const x = f64x2.add(f64x2.mul(av, v128.load(P(b, j))), f64x2.mul(cv, v128.load(P(e, j))));
      v128.store(P(bi, j), sub ? f64x2.sub(v128.load(P(bi, j)), x) : f64x2.add(v128.load(P(bi, j)), x));
    }
    const x = ai * load<f64>(P(b, i)) + ci * load<f64>(P(e, i));
    store<f64>(P(bi, i), sub ? load<f64>(P(bi, i)) - x : load<f64>(P(bi, i)) + x);
  }
}

// The rotations of one QL sweep on columns j0 ≤ j < j1 of the rows of X [·, n]: for i = m−1
// down to l, rows (i, i+1) ← (c·x_i − s·x_{i+1}, s·x_i + c·x_{i+1}) with c = cs[i], s = sn[i]. With
// up, their transposes in reverse order instead: for i = l up to m−1, (c·x_i + s·x_{i+1},
// −s·x_i + c·x_{i+1}), the same arithmetic with the rows walked the other way. A QR sweep's
// rotations are the up form (the mirror image of QL's), so their transposes are the down form.
// Eight columns at a time, the carried row's running value kept in registers between
// rotations (one load and one store per entry per rotation instead of two of each).
// @ts-ignore: decorator
@inline function rotateRows(X: usize, n: i32, j0: i32, j1: i32, l: i32, m: i32, cs: usize, sn: usize, up: bool): void {
  const rowBytes = <usize>n << 3;
  const first = up ? l : m;
  let j = j0;
  for (; j + 8 <= j1; j += 8) {
    let r = X + <usize>first * rowBytes + (<usize>j << 3);
    let k0 = v128.load(r), k1 = v128.load(r, 16), k2 = v128.load(r, 32), k3 = v128.load(r, 48);
    for (let t = 0; t < m - l; t++) {
      const i = up ? l + t : m - 1 - t;
      const c = f64x2.splat(load<f64>(P(cs, i))), s = f64x2.splat(load<f64>(P(sn, i)));
      const x = up ? r + rowBytes : r - rowBytes;
      const a0 = v128.load(x), a1 = v128.load(x, 16), a2 = v128.load(x, 32), a3 = v128.load(x, 48);
      v128.store(r, f64x2.add(f64x2.mul(s, a0), f64x2.mul(c, k0)));
      v128.store(r, f64x2.add(f64x2.mul(s, a1), f64x2.mul(c, k1)), 16);
      v128.store(r, f64x2.add(f64x2.mul(s, a2), f64x2.mul(c, k2)), 32);
      v128.store(r, f64x2.add(f64x2.mul(s, a3), f64x2.mul(c, k3)), 48);
      k0 = f64x2.sub(f64x2.mul(c, a0), f64x2.mul(s, k0));
      k1 = f64x2.sub(f64x2.mul(c, a1), f64x2.mul(s, k1));
      k2 = f64x2.sub(f64x2.mul(c, a2), f64x2.mul(s, k2));
      k3 = f64x2.sub(f64x2.mul(c, a3), f64x2.mul(s, k3));
      r = x;
    }
    v128.store(r, k0);
    v128.store(r, k1, 16);
    v128.store(r, k2, 32);
    v128.store(r, k3, 48);
  }
  for (; j < j1; j++) {
    let r = X + <usize>first * rowBytes + (<usize>j << 3);
    let k = load<f64>(r);
    for (let t = 0; t < m - l; t++) {
      const i = up ? l + t : m - 1 - t;
      const c = load<f64>(P(cs, i)), s = load<f64>(P(sn, i));
      const x = up ? r + rowBytes : r - rowBytes;
      const a = load<f64>(x);
      store<f64>(r, s * a + c * k);
      k = c * a - s * k;
      r = x;
    }
    store<f64>(r, k);
  }
}

// Householder reduction of (a + aᵀ)/2 [n, n] (a itself when symmetric) to the tridiagonal
// (dg, e) [n] (e[i] couples i and i+1, e[n−1] = 0); the reflectors u_k with τ_k (tau [n]) kept
// in S [n, n] right of the diagonal, Qᵀ = H_{n−3}·…·H₀. p [n] scratch.
function householderTridiag(a: usize, n: i32, symmetric: bool, S: usize, dg: usize, e: usize, tau: usize, p: usize): void {
  const rowBytes = <usize>n << 3;
  // the lower triangle alone: the reduction reads nothing else, and each reflector is written
  // right of the diagonal before it is read
  for (let i = 0; i < n; i++) {
    const si = S + <usize>i * rowBytes, ai = a + <usize>i * rowBytes;
    if (symmetric) memory.copy(si, ai, (<usize>i + 1) << 3);
    else for (let j = 0; j <= i; j++) store<f64>(P(si, j), 0.5 * (load<f64>(P(ai, j)) + load<f64>(a + <usize>j * rowBytes + (<usize>i << 3))));
  }
  // Householder on the lower triangle (LAPACK's dsytd2 with uplo 'L'): step k annihilates
  // column k below its subdiagonal entry with H = I − τ·u·uᵀ, u = (1, u₁, …) on indices
  // k+1…n−1, then B ← H·B·H on the trailing block as B − u·wᵀ − w·uᵀ with w = τBu −
  // ½τ²(uᵀBu)·u. Row i of the lower triangle serves both halves of Bu: its dot with u gives
  // (Bu)_i from the left of the diagonal, and u_i times it adds the mirrored entries to (Bu)_j<i.
  // u is kept in row k right of the diagonal (upper triangle, unused) for the accumulation of Q.
  for (let k = 0; k < n - 2; k++) {
    const m = n - k - 1;
    const col = S + <usize>(k + 1) * rowBytes + (<usize>k << 3);
    const uk = S + <usize>k * rowBytes + (<usize>(k + 1) << 3);
    store<f64>(P(dg, k), load<f64>(S + <usize>k * rowBytes + (<usize>k << 3)));
    let scale: f64 = 0;
    for (let j = 0; j < m; j++) scale = Math.max(scale, Math.abs(load<f64>(col + <usize>j * rowBytes)));
    const alpha = load<f64>(col);
    let tail: f64 = 0;
    if (scale > 0) {
      const inv = 1 / scale;
      for (let j = 1; j < m; j++) {
        const x = load<f64>(col + <usize>j * rowBytes) * inv;
        tail += x * x;
      }
    }
    if (tail == 0) {
      // already tridiagonal in this column: H = I
      store<f64>(P(tau, k), 0);
      store<f64>(P(e, k), alpha);
      continue;
    }
    const as = alpha / scale;
    const norm = Math.sqrt(as * as + tail) * scale;
    const beta = alpha >= 0 ? -norm : norm;
    const t = (beta - alpha) / beta;
    const inv = 1 / (alpha - beta);
    store<f64>(P(tau, k), t);
    store<f64>(P(e, k), beta);
    store<f64>(uk, 1);
    for (let j = 1; j < m; j++) store<f64>(P(uk, j), load<f64>(col + <usize>j * rowBytes) * inv);
    const B = S + <usize>(k + 1) * rowBytes + (<usize>(k + 1) << 3);
    for (let i = 0; i < m; i++) store<f64>(P(p, i), 0);
    // two rows at a time (i even), sharing their loads of u and p
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const b0 = B + <usize>i * rowBytes, b1 = b0 + rowBytes;
      const u0 = load<f64>(P(uk, i)), u1 = load<f64>(P(uk, i + 1));
      const uv0 = f64x2.splat(u0), uv1 = f64x2.splat(u1);
      let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
      for (let j = 0; j < i; j += 2) {
        const x0 = v128.load(P(b0, j)), x1 = v128.load(P(b1, j)), uv = v128.load(P(uk, j));
        acc0 = f64x2.add(acc0, f64x2.mul(x0, uv));
        acc1 = f64x2.add(acc1, f64x2.mul(x1, uv));
        v128.store(P(p, j), f64x2.add(v128.load(P(p, j)), f64x2.add(f64x2.mul(uv0, x0), f64x2.mul(uv1, x1))));
      }
      const b10 = load<f64>(P(b1, i));
      store<f64>(P(p, i), load<f64>(P(p, i)) + hsum(acc0) + load<f64>(P(b0, i)) * u0 + u1 * b10);
      store<f64>(P(p, i + 1), load<f64>(P(p, i + 1)) + hsum(acc1) + b10 * u0 + load<f64>(P(b1, i + 1)) * u1);
    }
    if (i < m) {
      // the last row when m is odd: i is even, so its i entries left of the diagonal are pairs
      const bi = B + <usize>i * rowBytes;
      const ui = load<f64>(P(uk, i));
      const uv = f64x2.splat(ui);
      let acc = f64x2.splat(0);
      for (let j = 0; j < i; j += 2) {
        const b = v128.load(P(bi, j));
        acc = f64x2.add(acc, f64x2.mul(b, v128.load(P(uk, j))));
        v128.store(P(p, j), f64x2.add(v128.load(P(p, j)), f64x2.mul(uv, b)));
      }
      store<f64>(P(p, i), load<f64>(P(p, i)) + hsum(acc) + load<f64>(P(bi, i)) * ui);
    }
    for (let i = 0; i < m; i++) store<f64>(P(p, i), t * load<f64>(P(p, i)));
    const K = 0.5 * t * dot(p, uk, m);
    axpy(p, -K, uk, m);
    rank2Lower(B, rowBytes, m, true, uk, p, p, uk);
  }
  if (n >= 2) {
    store<f64>(P(dg, n - 2), load<f64>(S + <usize>(n - 2) * rowBytes + (<usize>(n - 2) << 3)));
    store<f64>(P(e, n - 2), load<f64>(S + <usize>(n - 1) * rowBytes + (<usize>(n - 2) << 3)));
  }
  store<f64>(P(dg, n - 1), load<f64>(S + <usize>(n - 1) * rowBytes + (<usize>(n - 1) << 3)));
  store<f64>(P(e, n - 1), 0);
}

// rows [rows, n] at Z ← Z·Qᵀ = Z·H_{n−3}·…·H₀ for the reflectors of householderTridiag in S.
// Starting from Z = I it accumulates Qᵀ itself: then Z is the identity on indices ≤ k+1
// before ·H_k, so only its rows k+1… take part (from = k + 1); else every row does (from = 0).
function applyReflectors(S: usize, tau: usize, n: i32, Z: usize, rows: i32, identity: bool): void {
  const rowBytes = <usize>n << 3;
  for (let k = n - 3; k >= 0; k--) {
    const t = load<f64>(P(tau, k));
    if (t == 0) continue;
    const m = n - k - 1;
    const uk = S + <usize>k * rowBytes + (<usize>(k + 1) << 3);
    let i = identity ? k + 1 : 0;
    // four rows at a time: their dots are independent chains, and each load of u serves four rows
    for (; i + 4 <= rows; i += 4) {
      const z0 = Z + <usize>i * rowBytes + (<usize>(k + 1) << 3), z1 = z0 + rowBytes, z2 = z1 + rowBytes, z3 = z2 + rowBytes;
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let j = 0;
      for (; j + 2 <= m; j += 2) {
        const u = v128.load(P(uk, j));
        a0 = f64x2.add(a0, f64x2.mul(v128.load(P(z0, j)), u));
        a1 = f64x2.add(a1, f64x2.mul(v128.load(P(z1, j)), u));
        a2 = f64x2.add(a2, f64x2.mul(v128.load(P(z2, j)), u));
        a3 = f64x2.add(a3, f64x2.mul(v128.load(P(z3, j)), u));
      }
      let s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
      if (j < m) {
        const u = load<f64>(P(uk, j));
        s0 += load<f64>(P(z0, j)) * u;
        s1 += load<f64>(P(z1, j)) * u;
        s2 += load<f64>(P(z2, j)) * u;
        s3 += load<f64>(P(z3, j)) * u;
      }
      const c0 = f64x2.splat(-t * s0), c1 = f64x2.splat(-t * s1), c2 = f64x2.splat(-t * s2), c3 = f64x2.splat(-t * s3);
      j = 0;
      for (; j + 2 <= m; j += 2) {
        const u = v128.load(P(uk, j));
        v128.store(P(z0, j), f64x2.add(v128.load(P(z0, j)), f64x2.mul(c0, u)));
        v128.store(P(z1, j), f64x2.add(v128.load(P(z1, j)), f64x2.mul(c1, u)));
        v128.store(P(z2, j), f64x2.add(v128.load(P(z2, j)), f64x2.mul(c2, u)));
        v128.store(P(z3, j), f64x2.add(v128.load(P(z3, j)), f64x2.mul(c3, u)));
      }
      if (j < m) {
        const u = load<f64>(P(uk, j));
        store<f64>(P(z0, j), load<f64>(P(z0, j)) + -t * s0 * u);
        store<f64>(P(z1, j), load<f64>(P(z1, j)) + -t * s1 * u);
        store<f64>(P(z2, j), load<f64>(P(z2, j)) + -t * s2 * u);
        store<f64>(P(z3, j), load<f64>(P(z3, j)) + -t * s3 * u);
      }
    }
    for (; i < rows; i++) {
      const zi = Z + <usize>i * rowBytes + (<usize>(k + 1) << 3);
      axpy(zi, -t * dot(zi, uk, m), uk, m);
    }
  }
}

// max |dg| + |e|: the scale of QL's deflation test.
function tridiagNorm(dg: usize, e: usize, n: i32): f64 {
  let tst1: f64 = 0;
  for (let i = 0; i < n; i++) tst1 = Math.max(tst1, Math.abs(load<f64>(P(dg, i))) + Math.abs(load<f64>(P(e, i))));
  return tst1;
}

// Eigenpairs of (a + aᵀ)/2 [n, n]: values in dg [n] (unsorted), vectors as the rows of X [n, n].
// S [n, n] scratch (the reduced matrix and the reflectors); e, tau, u, p [n] scratch.
// Returns 0, or −1 when QL/QR did not converge.
function tridiagEigRows(a: usize, n: i32, S: usize, X: usize, dg: usize, e: usize, tau: usize, u: usize, p: usize): i32 {
  const rowBytes = <usize>n << 3;
  householderTridiag(a, n, false, S, dg, e, tau, p);
  // X = Qᵀ = H_{n−3}·…·H₀, accumulated from the last reflector: before X·H_k, X is the
  // identity on indices ≤ k+1, so only rows and columns k+1… take part
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) store<f64>(X + <usize>i * rowBytes + (<usize>j << 3), i == j ? 1.0 : 0.0);
  applyReflectors(S, tau, n, X, n, true);
  return qlSweeps(dg, e, n, tridiagNorm(dg, e, n), X, u, p, 0, 0);
}

// A rotation log of cap rotations at log: i32 [sweeps, rotations used], then (lo, m) per sweep
// (i32 pairs, cap of them; m as ~m for a QR sweep), then cs [cap] and sn [cap] (f64). 8 + 24·cap
// bytes.
// @ts-ignore: decorator
@inline function logCs(log: usize, cap: i32): usize {
  return log + 8 + (<usize>cap << 3);
}

// Appends one sweep's rotations i = lo … m−1 (cs[i], sn[i]), QL's or QR's; false when they do
// not fit.
function logSweep(log: usize, cap: i32, lo: i32, m: i32, qr: bool, cs: usize, sn: usize): bool {
  if (m <= lo) return true;
  const sweeps = load<i32>(log), used = load<i32>(log, 4);
  if (used + m - lo > cap) return false;
  store<i32>(log + 8 + (<usize>sweeps << 3), lo);
  store<i32>(log + 12 + (<usize>sweeps << 3), qr ? ~m : m);
  const c = logCs(log, cap), s = c + (<usize>cap << 3);
  memory.copy(P(c, used), P(cs, lo), <usize>(m - lo) << 3);
  memory.copy(P(s, used), P(sn, lo), <usize>(m - lo) << 3);
  store<i32>(log, sweeps + 1);
  store<i32>(log, used + m - lo, 4);
  return true;
}

// Implicit QL or QR with Wilkinson shifts on the tridiagonal (d, e) [n] (e[i] couples i and i+1,
// e[n−1] = 0; Numerical Recipes' tqli and its mirror image), deflating where |e[i]| ≤ eps·tst1
// (EISPACK's tql2 test). Each sweep works on the first unreduced block [lo, hi] and aims to
// deflate at whichever end is nearer to it, the one whose coupling |e| is smaller: QL (chasing
// up from hi, deflating at lo) or QR (chasing down from lo, deflating at hi). On MMC's matrices
// that takes a third fewer rotations than QL alone, and 10% fewer than choosing by |d| as
// LAPACK's dsteqr does.
// Each sweep's rotations (cs, sn [n] scratch) go to the rows of X, or with log ≠ 0 into the log
// instead (logSweep). Returns 0, −1 after 30n sweeps without convergence, or −3 when the log
// is full.
function qlSweeps(d: usize, e: usize, n: i32, tst1: f64, X: usize, cs: usize, sn: usize, log: usize, cap: i32): i32 {
  const tol = 2.220446049250313e-16 * tst1;
  let lo = 0, sweeps = 0;
  while (lo < n - 1) {
    // negligible unless greater: a NaN deflates (the caller's inputs are finite)
    if (!(Math.abs(load<f64>(P(e, lo))) > tol)) {
      lo++;
      continue;
    }
    let hi = lo + 1;
    while (hi < n - 1 && Math.abs(load<f64>(P(e, hi))) > tol) hi++;
    if (++sweeps > 30 * n) return -1;
    // QL deflates at lo, chasing up from hi; QR is its mirror image, deflating at hi and
    // chasing down from lo. The shift comes from the 2 × 2 at the deflating end (da and its
    // coupling ea); rotation t of the sweep is i = hi − 1 − t (QL) or lo + t (QR), on rows
    // (i, i + 1), with near = d[i + 1] and far = d[i] in QL, near = d[i] and far = d[i + 1] in
    // QR: the same arithmetic on pointers stepping by ∓1.
    const qr = Math.abs(load<f64>(P(e, hi - 1))) < Math.abs(load<f64>(P(e, lo)));
    const at = qr ? hi : lo, ePos = qr ? hi - 1 : lo;
    const da = load<f64>(P(d, at)), ea = load<f64>(P(e, ePos));
    let g = (load<f64>(P(d, qr ? hi - 1 : lo + 1)) - da) / (2 * ea);
    let r = hyp(g, 1);
    const shift = da - ea / (g + (g >= 0 ? r : -r));
    g = load<f64>(P(d, qr ? lo : hi)) - shift;
    const step: isize = qr ? 8 : -8;
    let pe = P(e, qr ? lo : hi - 1), pNear = P(d, qr ? lo : hi);
    let pc = P(cs, qr ? lo : hi - 1), ps = P(sn, qr ? lo : hi - 1);
    let sv: f64 = 1, c: f64 = 1, q: f64 = 0;
    const len = hi - lo;
    let t = 0;
    for (; t < len; t++) {
      const f = sv * load<f64>(pe), b = c * load<f64>(pe);
      r = hyp(f, g);
      // the new coupling one step behind (the first would land on the block's edge, negligible)
      if (t > 0) store<f64>(pe - step, r);
      if (r == 0) {
        // underflow: the rest of the sweep is the identity
        store<f64>(pNear, load<f64>(pNear) - q);
        break;
      }
      sv = f / r;
      c = g / r;
      g = load<f64>(pNear) - q;
      // c·(2b), not 2c·b: the same product (doubling is exact), one multiply fewer after c
      r = (load<f64>(pNear + step) - g) * sv + c * (2 * b);
      q = sv * r;
      store<f64>(pNear, g + q);
      g = c * r - b;
      store<f64>(pc, c);
      store<f64>(ps, sv);
      pe += step;
      pNear += step;
      pc += step;
      ps += step;
    }
    if (t == len) {
      store<f64>(P(d, at), da - q);
      store<f64>(P(e, ePos), g);
    }
    // the rotations i ∈ [r0, r1) done
    const r0 = qr ? lo : hi - t, r1 = qr ? lo + t : hi;
    // X's rows take a QL sweep's rotations in rotateRows' plain form (i from r1 − 1 down to
    // r0) and a QR sweep's in its up form (i from r0 up), which is the QR rotation with the
    // same c and s
    if (log == 0) rotateRows(X, n, 0, n, r0, r1, cs, sn, qr);
    else if (!logSweep(log, cap, r0, r1, qr, cs, sn)) return -3;
  }
  return 0;
}

// All eigenpairs of symmetric a [d, d] (symmetrised as (a + aᵀ)/2): w [d] ascending, v [d, d]
// with the vectors as columns. ws: 8·(d² + 4d) bytes. Returns 0, or −1 when QL/QR did not
// converge within 30d sweeps.
export function f64_sym_eig__tridiag(a: usize, w: usize, v: usize, d: i32, ws: usize): i32 {
  const X = ws, e = X + ((<usize>d * d) << 3), tau = e + (<usize>d << 3), u = tau + (<usize>d << 3), p = u + (<usize>d << 3);
  if (tridiagEigRows(a, d, v, X, w, e, tau, u, p) < 0) return -1;
  // ascending, by selection (d is small); the row of X moves with its value
  const rowBytes = <usize>d << 3;
  for (let i = 0; i < d - 1; i++) {
    let k = i;
    for (let j = i + 1; j < d; j++) if (load<f64>(P(w, j)) < load<f64>(P(w, k))) k = j;
    if (k != i) {
      const t = load<f64>(P(w, i));
      store<f64>(P(w, i), load<f64>(P(w, k)));
      store<f64>(P(w, k), t);
      const ri = X + <usize>i * rowBytes, rk = X + <usize>k * rowBytes;
      for (let j = 0; j < d; j++) {
        const x = load<f64>(P(ri, j));
        store<f64>(P(ri, j), load<f64>(P(rk, j)));
        store<f64>(P(rk, j), x);
      }
    }
  }
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) store<f64>(v + <usize>i * rowBytes + (<usize>j << 3), load<f64>(X + <usize>j * rowBytes + (<usize>i << 3)));
  return 0;
}

// The symmetric out [d, d] ← V·diag(max(λ, floor))·Vᵀ for its eigenpairs from the smaller
// side (fromAbove: above floor), given as the rows of X [count, d] with values dg [count] (rows
// of the other side are skipped): floor·I + Σ_{λ>floor} (λ − floor)·x·xᵀ or out +
// Σ_{λ<floor} (floor − λ)·x·xᵀ (equal, as Σ x·xᵀ = I). Terms go in two at a time as
// y·yᵀ + z·zᵀ (y = √|c|·x) on the lower triangle, then mirrored: out is exactly symmetric.
// y, z [d] scratch.
function psdRebuild(out: usize, d: i32, floor: f64, X: usize, dg: usize, count: i32, fromAbove: bool, y: usize, z: usize): void {
  const rowBytes = <usize>d << 3;
  if (fromAbove)
    for (let i = 0; i < d; i++) {
      memory.fill(out + <usize>i * rowBytes, 0, <usize>i << 3);
      store<f64>(out + <usize>i * rowBytes + (<usize>i << 3), floor);
    }
  let k = 0;
  while (k < count) {
    // the next one or two terms into y and z (z = 0 when there is one)
    let have = 0;
    for (; k < count && have < 2; k++) {
      const lam = load<f64>(P(dg, k));
      if (fromAbove ? !(lam > floor) : !(lam < floor)) continue;
      const r = Math.sqrt(Math.abs(lam - floor));
      const xk = X + <usize>k * rowBytes, dst = have == 0 ? y : z;
      for (let j = 0; j < d; j++) store<f64>(P(dst, j), r * load<f64>(P(xk, j)));
      have++;
    }
    if (have == 0) break;
    if (have == 1) for (let j = 0; j < d; j++) store<f64>(P(z, j), 0);
    rank2Lower(out, rowBytes, d, false, y, y, z, z);
  }
  for (let i = 0; i < d; i++)
    for (let j = 0; j < i; j++) store<f64>(out + <usize>j * rowBytes + (<usize>i << 3), load<f64>(out + <usize>i * rowBytes + (<usize>j << 3)));
}

// How many of dg [n] are above floor.
function countAbove(dg: usize, n: i32, floor: f64): i32 {
  let above = 0;
  for (let i = 0; i < n; i++) if (load<f64>(P(dg, i)) > floor) above++;
  return above;
}

// The eigenvalues of the symmetric out [n, n] by QL/QR without vectors, its rotations logged, then the
// eigenvectors of the smaller side of floor only (k ≤ n/2 of them: what psdRebuild needs) by
// replaying the rotations' transposes backwards on the k columns that pick them (n × k instead
// of n × n per rotation) and applying the reflectors to those k rows: out ← its projection.
// S, X [n, n], dg, e, tau, u, p [n] scratch, log of cap rotations. Returns 0, −1 when QL did not
// converge, −3 when the log was too small for the rotations or the vectors (nothing written).
function psdSmallSide(out: usize, n: i32, floor: f64, S: usize, X: usize, dg: usize, e: usize, tau: usize, u: usize, p: usize, log: usize, cap: i32): i32 {
  householderTridiag(out, n, true, S, dg, e, tau, p);
  store<i32>(log, 0);
  store<i32>(log, 0, 4);
  const q = qlSweeps(dg, e, n, tridiagNorm(dg, e, n), 0, u, p, log, cap);
  if (q < 0) return q;
  const above = countAbove(dg, n, floor);
  const fromAbove = above <= n - above;
  const k = fromAbove ? above : n - above;
  // the k vectors, [k, n], go to the log's place once it is replayed
  if (<i64>k * n > <i64>3 * cap) return -3;
  // Zt [n, kp] in X = the columns of I that pick the side's values (kept in e, free after QL),
  // with zero columns up to kp, a multiple of 8 where n allows, for the rotations' widest strips
  const kp = min((k + 7) & ~7, n);
  const Zt = X;
  memory.fill(Zt, 0, (<usize>n * <usize>kp) << 3);
  // Row i's nonzero columns of Zt lie in [h[2i], h[2i+1]) (i32 pairs in u, free after QL): a
  // sweep over rows lo…m touches only the union of theirs, which the later sweeps (replayed
  // first, near the bottom) keep narrow, as the columns follow the rows' order.
  const h = u;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const lam = load<f64>(P(dg, i));
    const picked = fromAbove ? lam > floor : lam < floor;
    store<i32>(h + (<usize>i << 3), picked ? j : kp);
    store<i32>(h + (<usize>i << 3), picked ? j + 1 : 0, 4);
    if (!picked) continue;
    store<f64>(Zt + ((<usize>i * <usize>kp + <usize>j) << 3), 1);
    store<f64>(P(e, j++), lam);
  }
  // Zt ← R₁ᵀ·…·R_Nᵀ·Zt: the rows of the rotated X = R_N·…·R₁·Qᵀ that hold those vectors are Ztᵀ·Qᵀ
  const c = logCs(log, cap), sn = c + (<usize>cap << 3);
  let end = load<i32>(log, 4);
  for (let w = load<i32>(log) - 1; w >= 0; w--) {
    const lo = load<i32>(log + 8 + (<usize>w << 3)), mq = load<i32>(log + 12 + (<usize>w << 3));
    const qr = mq < 0, m = qr ? ~mq : mq;
    end -= m - lo;
    let j0 = kp, j1 = 0;
    for (let i = lo; i <= m; i++) {
      j0 = min(j0, load<i32>(h + (<usize>i << 3)));
      j1 = max(j1, load<i32>(h + (<usize>i << 3), 4));
    }
    if (j0 >= j1) continue;
    for (let i = lo; i <= m; i++) {
      store<i32>(h + (<usize>i << 3), j0);
      store<i32>(h + (<usize>i << 3), j1, 4);
    }
    // whole strips of 8 from j0's (zero columns past j1 stay zero)
    const s0 = j0 & ~7, s1 = min((j1 + 7) & ~7, kp);
    // rotation i of this sweep is entry end + i − lo of the log
    rotateRows(Zt, kp, s0, s1, lo, m, c + (<usize>end << 3) - (<usize>lo << 3), sn + (<usize>end << 3) - (<usize>lo << 3), !qr);
  }
  const Z = log;
  for (let r = 0; r < k; r++)
    for (let i = 0; i < n; i++) store<f64>(Z + ((<usize>r * <usize>n + <usize>i) << 3), load<f64>(Zt + ((<usize>i * <usize>kp + <usize>r) << 3)));
  applyReflectors(S, tau, n, Z, k, false);
  psdRebuild(out, n, floor, Z, e, k, fromAbove, u, p);
  return 0;
}

// Bytes of f64_psd_project's ws for d and a rotation log of cap rotations.
export function f64_psd_project_ws_bytes(d: i32, cap: i32): i32 {
  return (2 * d * d + 7 * d) * 8 + 8 + 24 * cap;
}

// Bytes of f64_mmc_project's ws: f64_psd_project's, then W's and W1's coupled blocks and their
// decoupled diagonals, and the runs.
export function f64_mmc_project_ws_bytes(d: i32, cap: i32): i32 {
  return f64_psd_project_ws_bytes(d, cap) + (2 * d * d + 3 * d) * 8;
}

// The maximal runs [j0, j1) of coupled indices (pos[j] ≥ 0) as i32 pairs at runs; their count.
function coupledRuns(pos: usize, d: i32, runs: usize): i32 {
  let count = 0, j = 0;
  while (j < d) {
    while (j < d && load<i32>(pos + (<usize>j << 2)) < 0) j++;
    if (j == d) break;
    const j0 = j;
    while (j < d && load<i32>(pos + (<usize>j << 2)) >= 0) j++;
    store<i32>(runs + (<usize>count << 3), j0);
    store<i32>(runs + (<usize>count << 3), j, 4);
    count++;
  }
  return count;
}

// out [d, d] ← (a + aᵀ)/2 in one pass over the lower triangle (out may be a), flagging in pos
// [d] (i32, 1 or 0) each index with a nonzero off the diagonal of out or, when also ≠ 0, of
// also [d, d].
function symmetriseCoupled(a: usize, out: usize, d: i32, also: usize, pos: usize): void {
  const rowBytes = <usize>d << 3;
  memory.fill(pos, 0, <usize>d << 2);
  for (let i = 0; i < d; i++) {
    let coupled = 0;
    for (let j = 0; j < i; j++) {
      const ij = <usize>i * rowBytes + (<usize>j << 3), ji = <usize>j * rowBytes + (<usize>i << 3);
      const x = 0.5 * (load<f64>(a + ij) + load<f64>(a + ji));
      store<f64>(out + ij, x);
      store<f64>(out + ji, x);
      const nz = <i32>(x != 0 || (also != 0 && (load<f64>(also + ij) != 0 || load<f64>(also + ji) != 0)));
      coupled |= nz;
      store<i32>(pos + (<usize>j << 2), load<i32>(pos + (<usize>j << 2)) | nz);
    }
    const ii = <usize>i * rowBytes + (<usize>i << 3);
    store<f64>(out + ii, load<f64>(a + ii));
    store<i32>(pos + (<usize>i << 2), load<i32>(pos + (<usize>i << 2)) | coupled);
  }
}

// pos[i] ← i's index in the coupled block, or −1 for an index whose flag pos[i] is 0; the
// block's size r.
function numberCoupled(pos: usize, d: i32): i32 {
  let r = 0;
  for (let i = 0; i < d; i++) store<i32>(pos + (<usize>i << 2), load<i32>(pos + (<usize>i << 2)) != 0 ? r++ : -1);
  return r;
}

// The coupled block (rows and columns with pos ≥ 0, nruns runs of them at runs) of src [d, d]
// to dst [r, r]. dst may be src: by runs, every entry moves to a lower address, in increasing
// order, so nothing unread is overwritten.
function compactBlock(src: usize, dst: usize, d: i32, pos: usize, runs: usize, nruns: i32): void {
  const rowBytes = <usize>d << 3;
  let c = dst;
  for (let i = 0; i < d; i++) {
    if (load<i32>(pos + (<usize>i << 2)) < 0) continue;
    for (let q = 0; q < nruns; q++) {
      const j0 = load<i32>(runs + (<usize>q << 3)), j1 = load<i32>(runs + (<usize>q << 3), 4);
      memory.copy(c, src + <usize>i * rowBytes + (<usize>j0 << 3), <usize>(j1 - j0) << 3);
      c += <usize>(j1 - j0) << 3;
    }
  }
}

// The inverse of compactBlock in place on out: the [r, r] block at out back to its rows and
// columns of [d, d], with diag[i] on the diagonal of each decoupled i and zeros elsewhere. From
// the bottom row up and each row's runs from the right, every entry moves to an address at or
// above its own, past what is still to be read.
function expandBlock(out: usize, d: i32, r: i32, pos: usize, runs: usize, nruns: i32, diag: usize): void {
  const rowBytes = <usize>d << 3;
  for (let i = d - 1; i >= 0; i--) {
    const pi = load<i32>(pos + (<usize>i << 2)), oi = out + <usize>i * rowBytes;
    if (pi < 0) {
      memory.fill(oi, 0, rowBytes);
      store<f64>(P(oi, i), load<f64>(P(diag, i)));
      continue;
    }
    let c = r;
    for (let q = nruns - 1; q >= 0; q--) {
      const j0 = load<i32>(runs + (<usize>q << 3)), j1 = load<i32>(runs + (<usize>q << 3), 4);
      c -= j1 - j0;
      memory.copy(P(oi, j0), out + ((<usize>pi * <usize>r + <usize>c) << 3), <usize>(j1 - j0) << 3);
    }
    let j = 0;
    for (let q = 0; q <= nruns; q++) {
      const j1 = q < nruns ? load<i32>(runs + (<usize>q << 3)) : d;
      memory.fill(P(oi, j), 0, <usize>(j1 - j) << 3);
      if (q < nruns) j = load<i32>(runs + (<usize>q << 3), 4);
    }
  }
}

// The exactly symmetric out [r, r] ← its projection (eigenvalues ≥ floor), its scratch at the
// start of f64_psd_project's ws: 0, or −2 when the eigen-iteration did not converge.
function psdBlock(out: usize, r: i32, floor: f64, ws: usize, d: i32, cap: i32): i32 {
  const S = ws, X = S + ((<usize>d * d) << 3), dg = X + ((<usize>d * d) << 3);
  const e = dg + (<usize>d << 3), tau = e + (<usize>d << 3), u = tau + (<usize>d << 3), p = u + (<usize>d << 3);
  const log = p + (<usize>d << 4) + (<usize>d << 3);
  const q = psdSmallSide(out, r, floor, S, X, dg, e, tau, u, p, log, cap);
  if (q == -1) return -2;
  if (q == -3) {
    if (tridiagEigRows(out, r, S, X, dg, e, tau, u, p) < 0) return -2;
    const above = countAbove(dg, r, floor);
    psdRebuild(out, r, floor, X, dg, r, above <= r - above, u, p);
  }
  return 0;
}

// out = V·diag(max(w, floor))·Vᵀ: the nearest (Frobenius) matrix to (a + aᵀ)/2 with eigenvalues
// ≥ floor (floor 0: the PSD cone). out may alias a. ws: f64_psd_project_ws_bytes(d, cap) bytes;
// the eigenvectors of the smaller side of floor alone (psdSmallSide) when QL's rotations fit in
// a log of cap rotations, else all of them.
// An index whose row is zero off the diagonal is an eigenpair of its own (a_ii, e_i): those are
// set aside exactly and the solver runs on the r × r rest (MMC's metrics keep a unit row and
// column for every feature that no pair varies). out holds (a + aᵀ)/2, compacted in place to
// that r × r block, its projection, and expanded back.
// Returns −1, or −2 when the eigen-iteration did not converge (out then unspecified).
export function f64_psd_project(a: usize, out: usize, d: i32, floor: f64, ws: usize, cap: i32): i32 {
  const u = ws + ((<usize>(2 * d * d + 3 * d)) << 3);
  const pos = u + (<usize>d << 4), diag = pos + (<usize>d << 3);
  const rowBytes = <usize>d << 3;
  symmetriseCoupled(a, out, d, 0, pos);
  for (let i = 0; i < d; i++) store<f64>(P(diag, i), Math.max(load<f64>(out + <usize>i * rowBytes + (<usize>i << 3)), floor));
  const r = numberCoupled(pos, d);
  // the runs in u, free until the solver and again after it
  let nruns = 0;
  if (r < d) {
    nruns = coupledRuns(pos, d, u);
    compactBlock(out, out, d, pos, u, nruns);
  }
  if (r > 0 && psdBlock(out, r, floor, ws, d, cap) < 0) return -2;
  if (r < d) expandBlock(out, d, r, pos, u, coupledRuns(pos, d, u), diag);
  return -1;
}

// ⟨B, A⟩ over the coupled [r, r] blocks plus the decoupled diagonals bD, aD [d] (zero at the
// coupled indices).
function blockDot(B: usize, A: usize, rr: i32, bD: usize, aD: usize, d: i32): f64 {
  return dot(B, A, rr) + dot(bD, aD, d);
}

// MMC's alternating projections (metric-learn's _fit_full inner loop) on A [d, d] in place:
// while ⟨W, A⟩ > t, A ← A + (t1 − ⟨W1, A⟩)·W1 (onto the half-space, W1 = W/‖W‖, t1 = t/‖W‖),
// then A ← its PSD projection; stops once (⟨W, A⟩ − t)/t < eps. ws: f64_mmc_project_ws_bytes(d,
// cap). Returns the projections made (≥ 1) when the constraint was met, 0 when maxProj passed
// without, −2 when an eigen-iteration did not converge.
// A and W1 are symmetrised, and A, W and W1 compacted once to the block of indices coupled in A
// or W1: an index decoupled in both stays so through every step (the half-space step adds
// nothing off its diagonal, and the projection of a block-diagonal matrix is block-diagonal), so
// the loop runs on the r × r blocks and the decoupled diagonals alone.
export function f64_mmc_project(A: usize, W: usize, W1: usize, d: i32, t: f64, t1: f64, maxProj: i32, eps: f64, ws: usize, cap: i32): i32 {
  const rowBytes = <usize>d << 3;
  const pos = ws + ((<usize>(2 * d * d + 5 * d)) << 3), aD = pos + (<usize>d << 3);
  const Wc = ws + <usize>f64_psd_project_ws_bytes(d, cap), W1c = Wc + ((<usize>d * d) << 3);
  const wD = W1c + ((<usize>d * d) << 3), w1D = wD + (<usize>d << 3), runs = w1D + (<usize>d << 3);
  symmetriseCoupled(A, A, d, W1, pos);
  const r = numberCoupled(pos, d), rr = r * r;
  for (let i = 0; i < d; i++) {
    const dec = load<i32>(pos + (<usize>i << 2)) < 0, ii = <usize>i * rowBytes + (<usize>i << 3);
    store<f64>(P(aD, i), dec ? load<f64>(A + ii) : 0);
    store<f64>(P(wD, i), dec ? load<f64>(W + ii) : 0);
    store<f64>(P(w1D, i), dec ? load<f64>(W1 + ii) : 0);
  }
  const nruns = coupledRuns(pos, d, runs);
  compactBlock(A, A, d, pos, runs, nruns);
  compactBlock(W, Wc, d, pos, runs, nruns);
  compactBlock(W1, W1c, d, pos, runs, nruns);
  // W1's block symmetrised, so that A stays exactly symmetric through A + c·W1
  for (let i = 0; i < r; i++)
    for (let j = 0; j < i; j++) {
      const ij = W1c + ((<usize>i * r + j) << 3), ji = W1c + ((<usize>j * r + i) << 3);
      const x = 0.5 * (load<f64>(ij) + load<f64>(ji));
      store<f64>(ij, x);
      store<f64>(ji, x);
    }
  let result = 0;
  for (let it = 0; it < maxProj; it++) {
    if (blockDot(Wc, A, rr, wD, aD, d) > t) {
      const c = t1 - blockDot(W1c, A, rr, w1D, aD, d);
      axpy(A, c, W1c, rr);
      axpy(aD, c, w1D, d);
    }
    if (r > 0 && psdBlock(A, r, 0, ws, d, cap) < 0) return -2;
    for (let i = 0; i < d; i++) store<f64>(P(aD, i), Math.max(load<f64>(P(aD, i)), 0));
    if ((blockDot(Wc, A, rr, wD, aD, d) - t) / t < eps) {
      result = it + 1;
      break;
    }
  }
  expandBlock(A, d, r, pos, runs, nruns, aD);
  return result;
}
