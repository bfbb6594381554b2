// AMI / NMI against scikit-learn (test/fixtures/sklearn/mutual_info.jsonl) and a float64
// oracle (test/ref/mutual-info.ts); k-means (wasm) against a float64 check of Lloyd's fixed
// point and scikit-learn's inertia.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as sl from '../../src/index';
import { adjustedMutualInfo, normalizedMutualInfo } from '../../src/metrics/mutual-info';
import { kmeans } from '../../src/metrics/kmeans';
import { amiRef, nmiRef } from '../ref/mutual-info';
import { Rng } from '../../src/random';

await sl.init();

interface MiCase { id: string; kind: 'mutualInfo'; labelsTrue: number[]; labelsPred: number[]; AMI: number; NMI: number }
interface KmCase { id: string; kind: 'kmeans'; x: number[][]; nClusters: number; inertia: number }
const lines = readFileSync(new URL('../fixtures/sklearn/mutual_info.jsonl', import.meta.url), 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l));
const miCases = lines.filter((c) => c.kind === 'mutualInfo') as MiCase[];
const kmCases = lines.filter((c) => c.kind === 'kmeans') as KmCase[];

const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (|diff| ${Math.abs(a - b)})`);

for (const c of miCases) {
  test(`AMI / NMI = scikit-learn: ${c.id}`, () => {
    near(adjustedMutualInfo(c.labelsTrue, c.labelsPred), c.AMI, 1e-10, `${c.id} AMI`);
    near(normalizedMutualInfo(c.labelsTrue, c.labelsPred), c.NMI, 1e-12, `${c.id} NMI`);
    // The oracle agrees with scikit-learn too (except where both sides divide rounding noise).
    if (c.id !== 'allDistinct') near(amiRef(c.labelsTrue, c.labelsPred), c.AMI, 1e-10, `${c.id} AMI oracle`);
    near(nmiRef(c.labelsTrue, c.labelsPred), c.NMI, 1e-12, `${c.id} NMI oracle`);
  });
}

test('AMI / NMI = float64 oracle on random assignments of odd sizes', () => {
  const rng = new Rng(11);
  for (const n of [1, 2, 3, 5, 17, 33, 257, 700]) {
    for (const [ca, cb] of [[2, 3], [5, 5], [9, 4]]) {
      const u = Array.from({ length: n }, () => Math.floor(rng.uniform() * ca));
      const v = u.map((x) => (rng.uniform() < 0.5 ? (x * 3) % cb : Math.floor(rng.uniform() * cb)));
      near(normalizedMutualInfo(u, v), nmiRef(u, v), 1e-12, `NMI n${n}`);
      const ref = amiRef(u, v);
      if (Number.isFinite(ref)) near(adjustedMutualInfo(u, v), ref, 1e-9, `AMI n${n} (${ca}, ${cb})`);
    }
  }
});

test('AMI / NMI: symmetric, invariant to renaming, errors on a length mismatch', () => {
  const u = [0, 0, 1, 1, 1, 2, 2, 0, 1], v = [1, 1, 1, 0, 0, 2, 2, 2, 0];
  near(adjustedMutualInfo(u, v), adjustedMutualInfo(v, u), 1e-14, 'AMI symmetric');
  near(normalizedMutualInfo(u, v), normalizedMutualInfo(v.map((x) => 10 - x), u.map((x) => x * 7)), 1e-14, 'NMI renamed');
  assert.throws(() => adjustedMutualInfo([0, 1], [0]), /adjustedMutualInfo: labelsTrue has 2 entries but labelsPred has 1/);
});

/** Float64 check that labels/centres are a fixed point of Lloyd: each row at its nearest centre, each centre its cluster's mean. */
function checkLloydFixedPoint(x: Float32Array, n: number, d: number, k: number, labels: Int32Array, centres: Float32Array, what: string): number {
  let inertia = 0;
  const sums = new Float64Array(k * d), counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const dist = Array.from({ length: k }, (_, j) => {
      let s = 0;
      for (let p = 0; p < d; p++) s += (x[i * d + p] - centres[j * d + p]) ** 2;
      return s;
    });
    const own = dist[labels[i]];
    const best = Math.min(...dist);
    assert.ok(labels[i] >= 0 && labels[i] < k, `${what}: label ${labels[i]}`);
    // Float32 expansion vs float64: allow a few ulps of the spread.
    assert.ok(own <= best + 1e-4 * (1 + best), `${what}: row ${i} is ${own} from its centre but ${best} from another`);
    inertia += own;
    counts[labels[i]]++;
    for (let p = 0; p < d; p++) sums[labels[i] * d + p] += x[i * d + p];
  }
  for (let j = 0; j < k; j++) {
    if (counts[j] === 0) continue;
    for (let p = 0; p < d; p++) near(centres[j * d + p], sums[j * d + p] / counts[j], 1e-4 * (1 + Math.abs(sums[j * d + p] / counts[j])), `${what}: centre ${j}[${p}]`);
  }
  return inertia;
}

test('k-means: a Lloyd fixed point on odd sizes (n, d, k), deterministic for a seed', () => {
  const rng = new Rng(5);
  for (const n of [1, 3, 5, 17, 33, 101]) {
    for (const d of [1, 3, 5, 17]) {
      for (const k of [1, Math.min(3, n), n]) {
        const x = Float32Array.from({ length: n * d }, () => rng.normal() * 3 + (rng.uniform() < 0.5 ? 5 : -5));
        const r = kmeans(x, n, d, k, { seed: 3 });
        const what = `n${n} d${d} k${k}`;
        assert.is(r.labels.length, n);
        assert.is(r.centres.length, k * d);
        const inertia = checkLloydFixedPoint(x, n, d, k, r.labels, r.centres, what);
        near(r.inertia, inertia, 1e-4 * (1 + inertia), `${what}: inertia`);
        if (k === n) near(r.inertia, 0, 1e-3, `${what}: every row its own centre`);
        const again = kmeans(x, n, d, k, { seed: 3 });
        assert.equal(Array.from(again.labels), Array.from(r.labels), `${what}: same seed, same labels`);
      }
    }
  }
});

test('k-means: inertia as low as scikit-learn KMeans(n_init=10) on its fixture sets', () => {
  for (const c of kmCases) {
    const n = c.x.length, d = c.x[0].length;
    const x = Float32Array.from(c.x.flat());
    const r = kmeans(x, n, d, c.nClusters, { seed: 0 });
    checkLloydFixedPoint(x, n, d, c.nClusters, r.labels, r.centres, c.id);
    assert.ok(r.inertia <= c.inertia * (1 + 1e-5), `${c.id}: inertia ${r.inertia} vs scikit-learn ${c.inertia}`);
  }
});

test('k-means: identical points (empty clusters relocated), far-off data (centred first), errors', () => {
  const same = new Float32Array(5 * 3).fill(2);
  const r = kmeans(same, 5, 3, 3, { seed: 1 });
  assert.ok(r.labels.every((l) => l >= 0 && l < 3));
  near(r.inertia, 0, 0, 'identical points');
  // Two tight groups 1e4 from the origin: the GEMM expansion must still separate them.
  const far = new Float32Array(40 * 2);
  for (let i = 0; i < 40; i++) { far[2 * i] = 1e4 + (i < 20 ? 0 : 1) + (i % 5) * 1e-3; far[2 * i + 1] = 1e4 + (i % 7) * 1e-3; }
  const f = kmeans(far, 40, 2, 2, { seed: 0 });
  const truth = Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1));
  near(adjustedMutualInfo(truth, f.labels), 1, 1e-12, 'far-off groups recovered');
  assert.throws(() => kmeans(new Float32Array(6), 3, 2, 4), /kmeans: nClusters must be an integer in \[1, n = 3\], got 4/);
  assert.throws(() => kmeans(new Float32Array(6), 3, 2, 2, { nInit: 0 }), /kmeans: nInit must be a positive integer, got 0/);
});

test('k-means recovers well-separated classes: AMI = NMI = 1 (n = 999, d = 17, 7 classes)', () => {
  const rng = new Rng(9);
  const n = 999, d = 17, c = 7;
  const centres = Float32Array.from({ length: c * d }, () => rng.normal() * 10);
  const labels = Array.from({ length: n }, (_, i) => (i * 5) % c);
  const x = Float32Array.from({ length: n * d }, (_, t) => centres[labels[Math.floor(t / d)] * d + (t % d)] + rng.normal() * 0.3);
  const r = kmeans(x, n, d, c, { seed: 2 });
  near(adjustedMutualInfo(labels, r.labels), 1, 1e-12, 'AMI');
  near(normalizedMutualInfo(labels, r.labels), 1, 1e-12, 'NMI');
});

test.run();
