// Gathering the rows of a batch out of a dataset held as one flat Float32Array.
import { tensor } from '../autograd/create';
import { Tensor, fmtShape, shapeSize } from '../autograd/tensor';

/** A labelled data set: `x` holds n items of `itemShape`, row-major, back to back. */
export interface Dataset {
  x: Float32Array;
  labels: Int32Array;
  /** Shape of one item, e.g. [1, 28, 28]. */
  itemShape: number[];
}

export function datasetSize(fn: string, ds: Dataset): number {
  if (!ds || !(ds.x instanceof Float32Array) || !Array.isArray(ds.itemShape)) {
    throw new Error(`${fn}: a dataset is { x: Float32Array, labels: Int32Array, itemShape: number[] }`);
  }
  const row = shapeSize(ds.itemShape);
  const n = ds.labels.length;
  if (row * n !== ds.x.length) {
    throw new Error(`${fn}: dataset x holds ${ds.x.length} values but ${n} labels × item ${fmtShape(ds.itemShape)} need ${row * n}`);
  }
  return n;
}

/** Rows `indices` of the data set as a tensor [indices.length, ...itemShape] and their labels. */
export function gather(ds: Dataset, indices: ArrayLike<number>): { x: Tensor; labels: Int32Array } {
  const n = datasetSize('gather', ds);
  const row = shapeSize(ds.itemShape);
  const out = new Float32Array(indices.length * row);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new Error(`gather: index ${j} at position ${i} is outside the data set of ${n} items`);
    out.set(ds.x.subarray(j * row, (j + 1) * row), i * row);
    labels[i] = ds.labels[j];
  }
  return { x: tensor(out, [indices.length, ...ds.itemShape]), labels };
}
