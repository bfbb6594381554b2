// numpy 1.24's introselect for float64 (np.partition's default): LFDA reproduces
// metric-learn, whose local scale reads a row of np.partition(dist, k, axis=0), so the
// order introselect leaves the elements in is part of the result.

/** Partitions v in place around index kth exactly as numpy's introselect (median-of-3 path). */
export function introselect(v: Float64Array, kth: number): void {
  const num = v.length;
  let low = 0, high = num - 1;
  const swap = (i: number, j: number) => {
    const t = v[i];
    v[i] = v[j];
    v[j] = t;
  };
  if (kth - low < 3) {
    // dumb_select: O(n·kth) selection for a small kth
    for (let i = 0; i <= kth; i++) {
      let minIdx = i, minVal = v[i];
      for (let k = i + 1; k < num; k++) if (v[k] < minVal) {
        minIdx = k;
        minVal = v[k];
      }
      swap(i, minIdx);
    }
    return;
  }
  while (low + 1 < high) {
    let ll = low + 1, hh = high;
    const mid = low + ((high - low) >> 1);
    // median of 3 to v[low], the smallest of the three to low + 1
    if (v[high] < v[mid]) swap(high, mid);
    if (v[high] < v[low]) swap(high, low);
    if (v[low] < v[mid]) swap(low, mid);
    swap(mid, low + 1);
    const pivot = v[low];
    for (;;) {
      do ll++;
      while (v[ll] < pivot);
      do hh--;
      while (pivot < v[hh]);
      if (hh < ll) break;
      swap(ll, hh);
    }
    swap(low, hh);
    if (hh >= kth) high = hh - 1;
    if (hh <= kth) low = ll;
  }
  if (high === low + 1 && v[high] < v[low]) swap(high, low);
}
