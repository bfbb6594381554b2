// Case tables shared by the core test files.

// Pairs (a, b) in every supported layout, either side broadcast.
export const LAYOUTS: [string, number[], number[]][] = [
  ['same', [3, 5], [3, 5]],
  ['row [d]', [4, 5], [5]],
  ['row [1, d]', [4, 5], [1, 5]],
  ['row over 3-D', [2, 3, 5], [5]],
  ['column [n, 1]', [4, 5], [4, 1]],
  ['column [b, n, 1]', [2, 3, 5], [2, 3, 1]],
  ['scalar []', [4, 5], []],
  ['scalar [1]', [4, 5], [1]],
  ['swapped row', [5], [4, 5]],
  ['swapped [1, d]', [1, 5], [4, 5]],
  ['swapped column', [4, 1], [4, 5]],
  ['swapped scalar', [], [4, 5]],
  ['[d] with [1, d]', [5], [1, 5]],
  ['single elements', [1, 1], []],
  ['leading ones', [3, 5], [1, 3, 5]],
  ['leading ones, swapped', [1, 1, 4, 5], [4, 5]],
  ['tails: row d=17', [3, 17], [17]],
  ['tails: column d=33', [5, 33], [5, 1]],
];

/**
 * A second operand's shape derived from `as` in one of the supported layouts: 0 same,
 * 1 row [d], 2 row [1, d], 3 column [..., 1], 4 scalar [], 5 leading one [1, ...as].
 */
export function derivedShape(as: number[], kind: number): number[] {
  const d = as[as.length - 1] ?? 1;
  switch (kind) {
    case 0: return as.slice();
    case 1: return [d];
    case 2: return [1, d];
    case 3: return as.length ? [...as.slice(0, -1), 1] : [];
    case 4: return [];
    default: return [1, ...as];
  }
}
