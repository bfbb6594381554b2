// Compares a runtime's smoke numbers with the reference run's, key by key.
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
    for (let i = 0; i < b.length; i++) {
      const rel = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3);
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
