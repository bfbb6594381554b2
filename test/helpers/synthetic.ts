// A small seeded clustered data set whose classes hide in 2 of `dim` features: the other
// features carry larger noise, so raw-feature retrieval is poor and an embedding must learn
// which directions matter.
import { Rng } from '../../src/random';

export function hiddenClusters(n: number, classes: number, dim: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    const angle = (2 * Math.PI * c) / classes;
    x[i * dim] = 3 * Math.cos(angle) + 0.3 * rng.normal();
    x[i * dim + 1] = 3 * Math.sin(angle) + 0.3 * rng.normal();
    for (let t = 2; t < dim; t++) x[i * dim + t] = 3 * rng.normal();
  }
  return { x, labels, itemShape: [dim] };
}
