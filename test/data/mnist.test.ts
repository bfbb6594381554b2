import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadMnist } from '../../src/data/mnist';

test('loadMnist: seeded 8,000 / 2,000 split of the 10,000 digits, [1, 28, 28] in 0..1', () => {
  const a = loadMnist();
  assert.is(a.train.labels.length, 8000);
  assert.is(a.test.labels.length, 2000);
  assert.equal(a.train.itemShape, [1, 28, 28]);
  assert.is(a.train.x.length, 8000 * 784);
  let lo = Infinity, hi = -Infinity;
  for (const v of a.test.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.equal([lo, hi], [0, 1]);
  // The package's class counts: 1001 1127 991 1032 980 863 1014 1070 944 978.
  const counts = new Array(10).fill(0);
  for (const l of a.train.labels) counts[l]++;
  for (const l of a.test.labels) counts[l]++;
  assert.equal(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  // Fixed split: the same seed gives the same test set, another seed a different one.
  const b = loadMnist();
  assert.equal(Array.from(b.test.labels), Array.from(a.test.labels));
  assert.not.equal(Array.from(loadMnist({ seed: 1 }).test.labels.subarray(0, 50)), Array.from(a.test.labels.subarray(0, 50)));
  assert.throws(() => loadMnist({ trainSize: 10000 }), /loadMnist: trainSize must be an integer in \[1, 9999\]/);
});

test.run();
