// The allocator that owns wasm linear memory. Kernels never allocate: every buffer is
// carved here. Blocks are 64-byte aligned (one cache line, any v128 load is aligned) and
// recycled by exact size first — a training step allocates the same sizes every step, so
// memory stays flat — then by the best-fitting free block (split), then, after merging
// neighbouring free blocks, again best-fit; only then does the heap top move up. Reusing
// before bumping keeps the high-water mark near the most bytes ever live at once.
const ALIGN = 64;
const PAGE = 65536;
const WASM32_MAX_BYTES = 65536 * PAGE;

export class Allocator {
  private readonly memory: WebAssembly.Memory;
  private readonly base: number;
  private top: number;
  private limit: number;
  private readonly freeBySize = new Map<number, number[]>();
  private readonly liveSize = new Map<number, number>();
  private live = 0;
  private freeBytes = 0;
  private peak = 0;

  constructor(memory: WebAssembly.Memory, heapBase: number) {
    this.memory = memory;
    this.base = Math.max(ALIGN, roundUp(heapBase, ALIGN)); // 0 stays the null pointer of size-0 tensors
    this.top = this.base;
    this.limit = WASM32_MAX_BYTES;
  }

  /** Bytes held by live blocks. */
  get liveBytes(): number { return this.live; }
  /** Highest linear-memory address ever handed out, i.e. the wasm heap high-water mark. */
  get highWater(): number { return this.peak; }
  get memoryBytes(): number { return this.memory.buffer.byteLength; }
  get limitBytes(): number { return this.limit; }

  /** Caps linear memory (bytes, whole pages); used to test exhaustion and to bound a worker. */
  setLimit(bytes: number): void {
    this.limit = Math.min(WASM32_MAX_BYTES, Math.max(roundUp(bytes, PAGE), this.memory.buffer.byteLength));
  }

  alloc(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`simlearn: internal: cannot allocate ${bytes} bytes`);
    if (bytes === 0) return 0;
    const size = roundUp(bytes, ALIGN);
    // Moving the top is the last resort: free blocks of other sizes are split, then merged and
    // split, so a workload whose sizes vary neither grows memory nor its high-water mark.
    const ptr = this.reuse(size) ?? this.bestFit(size) ?? this.mergeThenFit(size);
    if (ptr === undefined) {
      throw new RangeError(
        `simlearn: out of wasm memory: cannot allocate ${bytes} bytes ` +
          `(${mib(this.live)} live in tensors, linear memory ${mib(this.memory.buffer.byteLength)}, limit ${mib(this.limit)}). ` +
          'Dispose tensors you no longer need, or wrap each step in sl.tidy().',
      );
    }
    this.liveSize.set(ptr, size);
    this.live += size;
    return ptr;
  }

  free(ptr: number): void {
    if (ptr === 0) return;
    const size = this.liveSize.get(ptr);
    if (size === undefined) throw new Error(`simlearn: internal: free of unknown block ${ptr}`);
    this.liveSize.delete(ptr);
    this.live -= size;
    // The block just below the top goes straight back to the bump pointer.
    if (ptr + size === this.top) this.top = ptr;
    else this.pushFree(ptr, size);
  }

  private reuse(size: number): number | undefined {
    const list = this.freeBySize.get(size);
    if (!list || list.length === 0) return undefined;
    this.freeBytes -= size;
    return list.pop();
  }

  private bump(size: number): number | undefined {
    const end = this.top + size;
    if (end > this.limit) return undefined;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least a quarter of what we have, so a growing workload grows rarely.
      const want = Math.min(this.limit, Math.max(end, have + (have >> 2)));
      try {
        this.memory.grow(Math.ceil((want - have) / PAGE));
      } catch {
        try {
          this.memory.grow(Math.ceil((end - have) / PAGE));
        } catch {
          return undefined;
        }
      }
    }
    const ptr = this.top;
    this.top = end;
    this.peak = Math.max(this.peak, end);
    return ptr;
  }

  /** Merges adjacent free blocks and gives the last one back to the bump pointer. */
  private coalesce(): void {
    const blocks: [number, number][] = [];
    for (const [size, ptrs] of this.freeBySize) for (const p of ptrs) blocks.push([p, size]);
    blocks.sort((x, y) => x[0] - y[0]);
    this.freeBySize.clear();
    this.freeBytes = 0;
    const merged: [number, number][] = [];
    for (const b of blocks) {
      const last = merged[merged.length - 1];
      if (last && last[0] + last[1] === b[0]) last[1] += b[1];
      else merged.push([b[0], b[1]]);
    }
    const last = merged[merged.length - 1];
    if (last && last[0] + last[1] === this.top) {
      this.top = last[0];
      merged.pop();
    }
    for (const [p, s] of merged) this.pushFree(p, s);
  }

  /** Merges neighbouring free blocks (a free block at the top returns to it), then fits or bumps. */
  private mergeThenFit(size: number): number | undefined {
    if (this.freeBytes > 0) this.coalesce();
    return this.bestFit(size) ?? this.bump(size);
  }

  /** The smallest free block that holds size, split; the rest stays free. */
  private bestFit(size: number): number | undefined {
    let best = Infinity;
    for (const [s, ptrs] of this.freeBySize) if (s > size && s < best && ptrs.length > 0) best = s;
    if (best === Infinity) return undefined;
    const ptr = this.freeBySize.get(best)!.pop()!;
    this.freeBytes -= best;
    this.pushFree(ptr + size, best - size);
    return ptr;
  }

  private pushFree(ptr: number, size: number): void {
    let list = this.freeBySize.get(size);
    if (!list) this.freeBySize.set(size, (list = []));
    list.push(ptr);
    this.freeBytes += size;
  }
}

function roundUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
