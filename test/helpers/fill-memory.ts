// Leaves about `freeBytes` of wasm memory free (one contiguous block, plus slivers under 1 KiB),
// whatever the suite left behind: a reserve of that size is taken first, then everything else is
// filled, largest blocks first (so a heap with hundreds of MiB free fills in a few thousand
// allocations), then the reserve is freed. release() frees the fillers and restores the limit.
import * as sl from '../../src/index';
import { getEngine } from '../../src/wasm/instance';

export function fillMemoryExcept(freeBytes: number): { release(): void } {
  const alloc = getEngine().alloc;
  const limit = alloc.limitBytes;
  alloc.setLimit(alloc.memoryBytes + (4 << 20));
  const filler: sl.Tensor[] = [];
  const reserve = sl.zeros([freeBytes / 4]);
  for (let floats = 1 << 24; floats >= 256; floats >>= 1) {
    for (;;) {
      try {
        filler.push(sl.zeros([floats]));
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        break;
      }
    }
  }
  reserve.dispose();
  return {
    release() {
      for (const t of filler) t.dispose();
      alloc.setLimit(limit);
    },
  };
}
