// Compares a runtime's smoke numbers with the reference run's, key by key. An element's
// error is relative to its own magnitude, floored at 1% of the largest magnitude in its
// array: entries near zero come out of cancellation, where a fused multiply-add (relaxed
// SIMD) legitimately moves the last bits of a larger intermediate.
export function compareNumbers(got, want, rtol) {
  const problems = [];
  let maxRel = 0;
  for (const key of Object.keys(want)) {
    const a = got[key];
    const b = want[key];
    if (!Array.isArray(a) || a.length !== b.length) {
      problems.push(`${key}: ${a ? `${a.length} values` : 'missing'}, expected ${b.length}`);
      continue;
    }
    const floor = Math.max(0.01 * Math.max(...b.map(Math.abs)), 1e-30);
    for (let i = 0; i < b.length; i++) {
      const rel = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor);
      if (!(rel <= rtol)) {
        problems.push(`${key}[${i}] = ${a[i]}, node has ${b[i]}`);
        break;
      }
      maxRel = Math.max(maxRel, rel);
    }
  }
  for (const key of Object.keys(got)) if (!(key in want)) problems.push(`${key}: not in the reference`);
  return { ok: problems.length === 0, problems, maxRel };
}
