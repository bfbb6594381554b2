// uniqueInverse (src/learners/input.ts) against np.unique(y, return_inverse=True) written
// plainly (a sorted set and indexOf): integer labels in a short range (the rank table),
// a wide range and fractions (the sorted search), negatives, one label, none.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { uniqueInverse } from '../../src/learners/input';
import { Rng } from '../../src/random';

function uniqueRef(y: number[]): { classes: number[]; inverse: number[] } {
  const classes = [...new Set(y)].sort((a, b) => a - b);
  return { classes, inverse: y.map((v) => classes.indexOf(v)) };
}

test('uniqueInverse: classes ascending and each label\'s rank, as np.unique(return_inverse=True)', () => {
  const rng = new Rng(5);
  const draw = (n: number, f: () => number) => Array.from({ length: n }, f);
  const cases: number[][] = [
    [],
    [7],
    draw(256, () => Math.floor(rng.uniform() * 32)),
    draw(33, () => Math.floor(rng.uniform() * 9) - 4),
    draw(17, () => Math.floor(rng.uniform() * 1e9)),
    draw(17, () => Math.round(rng.uniform() * 40) / 8 - 2),
    [3, -2147483648, 2147483647, 3, 0],
  ];
  for (const y of cases) {
    const got = uniqueInverse(y), want = uniqueRef(y);
    assert.equal(got.classes, want.classes, `classes of [${y.slice(0, 8)}…]`);
    assert.equal(Array.from(got.inverse), want.inverse, `ranks of [${y.slice(0, 8)}…]`);
    const typed = uniqueInverse(Int32Array.from(y.map(Math.trunc)));
    assert.equal(Array.from(typed.inverse), uniqueRef(y.map(Math.trunc)).inverse, `ranks of an Int32Array [${y.slice(0, 8)}…]`);
  }
});

test.run();
