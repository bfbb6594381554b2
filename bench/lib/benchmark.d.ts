// The part of benchmark.js 2.1.4 the harness uses (the package ships no types).
declare module 'benchmark' {
  interface Options {
    minSamples?: number;
    maxTime?: number;
    minTime?: number;
    initCount?: number;
  }
  class Benchmark {
    static support: { decompilation: boolean };
    constructor(name: string, fn: () => unknown, options?: Options);
    run(options?: { async?: boolean }): this;
    error?: Error;
    count: number;
    stats: { sample: number[]; mean: number };
  }
  export default Benchmark;
}
