// The per-op profiler behind `npm run bench -- --profile`: which rows a step yields (op and
// output shape, forward and backward, one row per input gradient), their call counts, and
// that nothing is recorded while it is off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { profileBackward, profileGradWrite, profileLap, profileSection, startProfile, stopProfile, profiling } from '../../src/autograd/profile';

await sl.init();

function step(model: InstanceType<typeof sl.nn.Sequential>, x: InstanceType<typeof sl.Tensor>): number {
  return sl.tidy(() => {
    const l = sl.sum(model.forward(x));
    l.backward();
    return profileSection('read the loss', () => l.item());
  });
}

test('a profile has one forward row per op and layer, one backward row per input gradient, with their calls', () => {
  sl.manualSeed(1);
  const model = new sl.nn.Sequential(new sl.nn.Conv2d(1, 3, 3, { padding: 1 }), new sl.nn.ReLU(), new sl.nn.Flatten(), new sl.nn.Linear(75, 4));
  const x = sl.randn([2, 1, 5, 5], { seed: 2 });
  step(model, x); // off: records nothing
  const t0 = performance.now();
  startProfile();
  assert.ok(profiling.on);
  for (let i = 0; i < 3; i++) step(model, x);
  profileLap('after the steps', 'other');
  const rows = stopProfile();
  const wall = performance.now() - t0;
  assert.not.ok(profiling.on);
  const row = (name: string, phase: string) => rows.find((r) => r.name === name && r.phase === phase);
  const calls = (name: string, phase: string) => row(name, phase)?.calls;
  assert.is(calls('conv2dRelu → [2,3,5,5]', 'forward'), 3);
  assert.is(calls('linear → [2,4]', 'forward'), 3);
  assert.is(calls('reshape → [2,75]', 'forward'), 3);
  // the gradient of each input that needs one: weight and bias, not the image
  assert.is(calls('conv2dRelu → [2,3,5,5] ∂[3,1,3,3]', 'backward'), 3);
  assert.is(calls('conv2dRelu → [2,3,5,5] ∂[3]', 'backward'), 3);
  assert.is(row('conv2dRelu → [2,3,5,5] ∂[2,1,5,5]', 'backward'), undefined);
  assert.is(calls('linear → [2,4] ∂[2,75]', 'backward'), 3);
  assert.is(calls('read the loss', 'other'), 3);
  assert.is(calls('after the steps', 'other'), 1);
  assert.ok(rows.every((r) => r.ms >= 0 && Number.isFinite(r.ms)));
  // laps and timed calls never overlap: together they are at most the wall time
  assert.ok(rows.reduce((a, r) => a + r.ms, 0) <= wall + 1e-6);
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].ms >= rows[i].ms, 'largest first');
  // off again: a new step adds nothing to a new profile that has not started
  step(model, x);
  startProfile();
  assert.equal(stopProfile(), []);
  x.dispose();
  model.parameters().forEach((p) => p.dispose());
});

test('a gradient written inside another (one kernel for two inputs) keeps its own time; the outer row the rest', () => {
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  startProfile();
  const t0 = performance.now();
  profileBackward('fused', () => profileGradWrite([3], () => {
    busy(4);
    profileGradWrite([3, 9], () => busy(8));
  }));
  const wall = performance.now() - t0;
  const rows = stopProfile();
  const ms = (name: string) => rows.find((r) => r.name === name)!.ms;
  assert.ok(ms('fused ∂[3,9]') >= 8, 'inner row');
  assert.ok(ms('fused ∂[3]') >= 4, 'outer row');
  // no time counted twice: the op keeps a share of its own, and the rows add up to at most the wall time
  assert.ok(ms('fused') >= 0, 'the op row');
  assert.ok(ms('fused ∂[3,9]') + ms('fused ∂[3]') + ms('fused') <= wall + 1e-6, 'rows within the wall time');
});

test.run();
