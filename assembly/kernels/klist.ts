// The per-query sorted list of the k best candidates that every top-k kernel keeps: distances
// ld [k] ascending and their indices li [k], free slots marked by index −1 (and +inf). Not part
// of the wasm ABI: assembly/index.ts does not re-export this file.

// Offers candidate (v, idx) to the list; returns the new worst distance (the rejection
// threshold: a later candidate must be strictly below it, so ties keep the lower index when
// candidates arrive in increasing index order). A free slot takes any non-NaN value, +inf
// included; free slots sort after every real candidate.
// @ts-ignore: decorator
@inline export function klistPush(ld: usize, li: usize, k: i32, v: f32, idx: i32): f32 {
  const last = <usize>(k - 1) << 2;
  if (!(v < load<f32>(ld + last)) && !(load<i32>(li + last) < 0 && v == v)) return load<f32>(ld + last);
  let pos = k - 1;
  while (pos > 0 && (load<f32>(ld + (<usize>(pos - 1) << 2)) > v || load<i32>(li + (<usize>(pos - 1) << 2)) < 0)) {
    store<f32>(ld + (<usize>pos << 2), load<f32>(ld + (<usize>(pos - 1) << 2)));
    store<i32>(li + (<usize>pos << 2), load<i32>(li + (<usize>(pos - 1) << 2)));
    pos--;
  }
  store<f32>(ld + (<usize>pos << 2), v);
  store<i32>(li + (<usize>pos << 2), idx);
  return load<f32>(ld + last);
}

// The threshold a candidate must beat to enter the list: its worst distance, or +inf (and NaN
// excluded by the caller) while a slot is free.
// @ts-ignore: decorator
@inline export function klistBound(ld: usize, li: usize, k: i32): f32 {
  const last = <usize>(k - 1) << 2;
  return load<i32>(li + last) < 0 ? Infinity : load<f32>(ld + last);
}
