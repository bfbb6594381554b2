// TRUNKS: torchvision's ResNet-18 and MobileNetV2 forward at 224×224, batch 1 and 32, one
// thread, random weights (BatchNorm folded with fuseBatchNorm, as a served model would be),
// under noGrad and tidy. FLOPs: 2 × the multiply-adds torchvision lists (1.814 G for
// ResNet-18, 0.300 G for MobileNetV2, per image). wasmHighWaterBytes: the wasm memory after
// the row (it only grows, so the largest row sets it).
//   No peer rows yet: onnxruntime-web (fed a torch.onnx export made at bench time) needs a
//   devDependency not installed here, and tfjs-backend-wasm needs both trunks rebuilt op by op.
import { measure, type Ctx, type Row, type Workload } from './lib/harness';
import { getEngine, sl } from './lib/simlearn';
import type { Tensor } from '../src/index';

const MODELS = [
  { name: 'ResNet-18', make: () => sl.models.resnet18(), macs: 1.814e9 },
  { name: 'MobileNetV2', make: () => sl.models.mobilenetV2(), macs: 0.3e9 },
];

export const trunks: Workload = {
  id: 'TRUNKS',
  title: 'torchvision trunks forward at 224×224 (ResNet-18, MobileNetV2), batch 1 and 32',
  async run(ctx: Ctx): Promise<Row[]> {
    const rows: Row[] = [];
    for (const m of MODELS) {
      sl.manualSeed(0);
      const model = sl.nn.fuseBatchNorm(m.make().eval());
      for (const n of ctx.quick ? [1] : [1, 32]) {
        const task = `${m.name} forward, batch ${n}`;
        let x: Tensor | null = null;
        const row = measure(ctx, 'TRUNKS', task, 'simlearn', 2 * m.macs * n, () => {
          x = sl.randn([n, 3, 224, 224], { seed: n });
          return () => sl.tidy(() => sl.noGrad(() => model.forward(x!)));
        }, { minSamples: n === 1 ? 5 : 2, maxTime: n === 1 ? 1 : 0.1, cleanup: () => x?.dispose(), note: 'BatchNorm folded; no onnxruntime-web / tfjs-wasm peer yet' });
        row.extra = { wasmHighWaterBytes: getEngine().k.memory.buffer.byteLength };
        rows.push(row);
      }
      model.dispose();
    }
    return rows;
  },
};
