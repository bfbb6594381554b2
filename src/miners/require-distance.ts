// PML's assert_distance_type for the miners whose formulas assume one distance: the unit-norm
// Euclidean distance (LpDistance with p 2, power 1, normalised embeddings).
import { LpDistance } from '../distances/lp-distance';
import type { Distance } from '../tuples/checks';

export function requireUnitL2(fn: string, distance: Distance): void {
  const d = distance as Partial<LpDistance>;
  if (!(distance instanceof LpDistance)) throw new Error(`${fn}: requires the distance to be LpDistance`);
  for (const [key, want] of [['p', 2], ['power', 1], ['normalizeEmbeddings', true]] as const) {
    if (d[key] !== want) throw new Error(`${fn}: requires distance.${key} to be ${want}, got ${d[key]}`);
  }
}
