// Type-checked against the installed package's .d.ts (exports "types") by run.mjs: the
// public API as a TypeScript user writes it.
import * as sl from 'simlearn';

await sl.init({ simd: 'auto' });
const model = new sl.nn.Sequential(new sl.nn.Linear(8, 4), new sl.nn.ReLU());
const optimizer = new sl.optim.SGD(model.parameters(), { lr: 0.1 });
const x: sl.Tensor = sl.randn([3, 8], { seed: 1 });
const loss: sl.Tensor = sl.tidy(() => model.forward(x).mean());
loss.backward();
optimizer.step();
const bytes: Uint8Array = sl.io.saveSafetensors(model.stateDict());
const shape: number[] = sl.io.loadSafetensors(bytes)['0.weight'].shape;
const build: sl.SimdBuild = sl.engineInfo().build;
console.log(shape, build);
