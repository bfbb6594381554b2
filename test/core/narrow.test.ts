// narrowRows (src/ops/narrow.ts): a copy of rows [start, end) whose gradient lands in those
// rows of the input and nowhere else; checked by value against a plain slice, by finite
// differences, with a second use of the same input (accumulation), and on bad ranges.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { narrowRows } from '../../src/ops/narrow';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

test('narrowRows: values of 2-D and 3-D inputs at odd sizes, empty ranges', () => {
  for (const shape of [[1, 5], [17, 3], [5, 3, 2]]) {
    const x = sl.randn(shape, { seed: shape[0] });
    const row = shape.slice(1).reduce((a, b) => a * b, 1);
    for (const [s, e] of [[0, shape[0]], [0, 1], [shape[0] - 1, shape[0]], [Math.floor(shape[0] / 2), shape[0]], [0, 0]]) {
      const y = narrowRows(x, s, e);
      assert.equal(y.shape, [e - s, ...shape.slice(1)]);
      assert.equal(Array.from(y.data()), Array.from(x.data().subarray(s * row, e * row)), `[${shape}] rows ${s}..${e}`);
    }
  }
});

test('narrowRows: gradient in the chosen rows only (finite differences), accumulated over two uses', () => {
  const x = sl.randn([7, 3], { seed: 2 });
  gradcheck((a) => narrowRows(a, 2, 5), [x]);
  gradcheck((a) => sl.add(narrowRows(a, 0, 3), narrowRows(a, 4, 7)), [x]);
  const y = sl.randn([5, 2], { seed: 3 });
  y.requiresGrad = true;
  sl.sum(narrowRows(y, 1, 3)).backward();
  assert.equal(Array.from(y.grad!.data()), [0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
});

test('narrowRows: out-of-range rows are an error naming the range and shape', () => {
  const x = sl.zeros([4, 2]);
  assert.throws(() => narrowRows(x, 3, 5), /narrowRows: rows \[3, 5\) are out of range for \[4, 2\]/);
  assert.throws(() => narrowRows(x, 2, 1), /narrowRows: rows \[2, 1\)/);
  assert.throws(() => narrowRows(x, -1, 2), /out of range/);
  assert.throws(() => narrowRows(x, 0.5, 2), /out of range/);
});

test.run();
