// torchvision's resnet18/34/50 and mobilenet_v2 against torch (test/fixtures/gen_models.py):
// the same hashed weights load strictly into sl.models.*, and the logits and the penultimate
// features (head replaced by Identity) match torchvision's within 1e-3 of their largest
// magnitude. A real safetensors file in mixed dtypes, written from torch, loads and matches
// too; fuseBatchNorm keeps the outputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as sl from '../../src/index';
import { hashedInput, hashedStateDict } from '../helpers/hash-weights';

await sl.init();

const fx = JSON.parse(readFileSync(new URL('../fixtures/models.json', import.meta.url), 'utf8'));

/** max |got − want| / max |want| */
function relErr(got: ArrayLike<number>, want: number[]): number {
  assert.is(got.length, want.length);
  let err = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return err / scale;
}

const build: Record<string, () => sl.nn.Module> = {
  resnet18: () => sl.models.resnet18({ numClasses: 10 }),
  resnet34: () => sl.models.resnet34({ numClasses: 10 }),
  resnet50: () => sl.models.resnet50({ numClasses: 10 }),
  mobilenet_v2: () => sl.models.mobilenetV2({ numClasses: 10 }),
};

for (const c of fx.models) {
  test(`${c.model}: torchvision's state dict loads strictly; logits and penultimate features match`, () => {
    const m = build[c.model]().eval();
    const dict = hashedStateDict(m);
    assert.is(Object.keys(dict).length, c.keys, 'as many state-dict entries as torchvision');
    m.loadStateDict(dict, { strict: true });
    for (const t of Object.values(dict)) t.dispose();
    const x = hashedInput(c.inputShape);
    const logits = sl.noGrad(() => m.forward(x));
    const eLogits = relErr(logits.data(), c.logits);
    assert.ok(eLogits < 1e-3, `logits rel err ${eLogits}`);
    const head = c.model.startsWith('resnet') ? 'fc' : 'classifier';
    const headKeys = Object.keys(m.stateDict()).filter((k) => k.startsWith(`${head}.`));
    assert.ok(headKeys.length > 0);
    (m as any)[head] = new sl.nn.Identity();
    assert.ok(Object.keys(m.stateDict()).every((k) => !k.startsWith(`${head}.`)), 'the replaced head leaves the state dict');
    const feats = sl.noGrad(() => m.forward(x));
    assert.equal(feats.shape, c.featureShape);
    const eFeats = relErr(feats.data(), c.features);
    assert.ok(eFeats < 1e-3, `features rel err ${eFeats}`);
    if (c.model === 'resnet18' || c.model === 'mobilenet_v2') {
      const fused = sl.nn.fuseBatchNorm(m);
      assert.ok(!fused.namedChildren().some(([, ch]) => ch instanceof sl.nn.BatchNorm2d));
      const fusedFeats = sl.noGrad(() => fused.forward(x));
      const eFused = relErr(fusedFeats.data(), c.features);
      assert.ok(eFused < 1e-3, `fused features rel err ${eFused}`);
      assert.ok(Object.keys(fused.stateDict()).every((k) => !k.includes('running_mean')), 'no BatchNorm left in the fused copy');
      assert.ok(Object.keys(m.stateDict()).some((k) => k.includes('running_mean')), 'the model itself keeps its BatchNorms');
      fused.dispose();
      fusedFeats.dispose();
    }
    console.log(`    ${c.model}: logits ${eLogits.toExponential(2)}, features ${eFeats.toExponential(2)} max rel err`);
    m.dispose();
    for (const t of [x, logits, feats]) t.dispose();
  });
}

test('a torch state dict saved in F16, BF16, F64, F32, I64 and I32 loads strictly and matches torchvision', () => {
  const t = fx.tiny;
  const bytes = readFileSync(new URL('../fixtures/mobilenet_tiny.safetensors', import.meta.url));
  const dict = sl.io.loadSafetensors(bytes);
  const m = sl.models.mobilenetV2({ numClasses: t.numClasses, widthMult: t.widthMult, invertedResidualSetting: t.setting }).eval();
  m.loadStateDict(dict, { strict: true });
  for (const [k, v] of Object.entries(t.numBatchesTracked)) assert.is(dict[k].item(), v, `${k} read exactly`);
  const x = sl.tensor(t.x, t.inputShape);
  const y = sl.noGrad(() => m.forward(x));
  const e = relErr(y.data(), t.logits);
  assert.ok(e < 1e-3, `rel err ${e}`);
  m.dispose();
});

test('assigning a Module to a child name replaces the child; anything else is refused', () => {
  const seq = new sl.nn.Sequential(new sl.nn.Linear(3, 4), new sl.nn.ReLU(), new sl.nn.Linear(4, 2));
  assert.equal(Object.keys(seq.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
  (seq as any)[2] = new sl.nn.Identity();
  assert.equal(Object.keys(seq.stateDict()), ['0.weight', '0.bias']);
  assert.is(seq.forward(sl.zeros([5, 3])).shape[1], 4);
  const r = sl.models.resnet18({ numClasses: 7 });
  assert.throws(() => { (r as any).fc = 3; }, /ResNet: fc must be an sl.nn.Module to replace the child 'fc', got number/);
  r.fc = new sl.nn.Linear(512, 5);
  assert.equal(r.stateDict()['fc.weight'].shape, [5, 512]);
  assert.throws(() => sl.models.resnet18({ numClass: 3 } as any), /ResNet: unknown option 'numClass'; did you mean 'numClasses'/);
  assert.throws(() => sl.models.mobilenetV2({ widthMult: 0 }), /mobilenetV2: widthMult must be > 0/);
  r.dispose();
});

test('a trunk trains: gradients reach every parameter (batch statistics in training mode)', () => {
  const m = sl.models.mobilenetV2({ numClasses: 4, widthMult: 0.25, invertedResidualSetting: [[1, 8, 1, 1], [6, 8, 2, 2]] });
  const x = sl.randn([3, 3, 16, 16], { seed: 1 });
  sl.tidy(() => m.forward(x).sum().backward());
  for (const [name, p] of m.namedParameters()) assert.ok(p.grad && p.grad.data().some((v) => v !== 0), `${name} has a gradient`);
  m.dispose();
});

test.run();
