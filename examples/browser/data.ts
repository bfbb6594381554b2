// The MNIST subset the pages use, as written by examples/browser/build.mjs: the first 3,000
// train and first 1,000 test digits of the main job's seeded 8,000 / 2,000 split, pixels
// stored as bytes (value·255 rounded; decoded here to 0..1, within 0.002 of the package's).
import type * as sl from '../../src/index';

export const SUBSET_FILE = 'mnist-subset.bin';

/** Layout of SUBSET_FILE: a 16-byte header (magic, train count, test count, side), then the
 * train labels, the test labels, the train pixels and the test pixels, one byte each. */
export const SUBSET_MAGIC = 0x4e4d4c53; // 'SLMN'

export interface MnistSubset {
  train: sl.data.Dataset;
  test: sl.data.Dataset;
  /** The test digits' pixels as bytes, for drawing thumbnails. */
  testPixels: Uint8Array;
  side: number;
}

export function decodeSubset(buf: ArrayBuffer): MnistSubset {
  const head = new Uint32Array(buf, 0, 4);
  if (head[0] !== SUBSET_MAGIC) throw new Error(`${SUBSET_FILE}: not an MNIST subset file (rebuild with npm run demo)`);
  const [, nTrain, nTest, side] = head;
  const px = side * side;
  let at = 16;
  const bytes = (n: number) => new Uint8Array(buf, (at += n) - n, n);
  const trainLabels = Int32Array.from(bytes(nTrain));
  const testLabels = Int32Array.from(bytes(nTest));
  const trainPixels = bytes(nTrain * px);
  const testPixels = bytes(nTest * px);
  const itemShape = [1, side, side];
  const unit = (b: Uint8Array) => Float32Array.from(b, (v) => v / 255);
  return {
    train: { x: unit(trainPixels), labels: trainLabels, itemShape },
    test: { x: unit(testPixels), labels: testLabels, itemShape },
    testPixels,
    side,
  };
}

export async function loadSubset(url = SUBSET_FILE): Promise<MnistSubset> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return decodeSubset(await res.arrayBuffer());
}
