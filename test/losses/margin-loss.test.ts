// MarginLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients (embeddings
// and the learnable beta), loss dictionary for every fixture case; gradchecks; the module API.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'MarginLoss', (o) => new sl.losses.MarginLoss(o), 15);

const labels = [0, 1, 0, 2, 1, 0, 3];
const lp = () => new sl.distances.LpDistance({ normalizeEmbeddings: false });

test('gradcheck on 7 samples (odd size), a singleton class', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.MarginLoss({ distance: lp(), beta: 3 });
  gradcheck((e) => sl.reshape(loss.forward(e, labels), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('gradcheck of the per-class beta (learnBeta, numClasses 4, nu 0.1; SumReducer: the divisor is a count that jumps)', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.MarginLoss({ distance: lp(), learnBeta: true, numClasses: 4, nu: 0.1, reducer: new sl.reducers.SumReducer() });
  loss.loadStateDict({ beta: sl.tensor([2.5, 3, 3.5, 2.8]) });
  gradcheck(() => sl.reshape(loss.forward(x, labels), [1]), [loss.beta], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('module API: beta is a parameter only with learnBeta; loadStateDict copies and checks', () => {
  const fixed = new sl.losses.MarginLoss();
  assert.equal(fixed.parameters(), []);
  assert.equal(Object.keys(fixed.stateDict()), []);
  assert.throws(() => fixed.loadStateDict({ beta: sl.tensor([1]) }), /MarginLoss.loadStateDict: unexpected keys \["beta"\].*only with learnBeta/);
  const learned = new sl.losses.MarginLoss({ learnBeta: true, numClasses: 3, beta: 0.5 });
  assert.equal(learned.parameters(), [learned.beta]);
  assert.equal(Array.from(learned.stateDict().beta.data()), [0.5, 0.5, 0.5]);
  const b = sl.tensor([1, 2, 3]);
  learned.loadStateDict({ beta: b });
  assert.ok(learned.stateDict().beta !== b);
  assert.equal(Array.from(learned.beta.data()), [1, 2, 3]);
  assert.throws(() => learned.loadStateDict({ beta: sl.tensor([1, 2]) }), /beta is \[2\] but this loss has beta \[3\]/);
  assert.equal(Array.from(learned.beta.data()), [1, 2, 3]);
});

test('an SGD step on beta moves it against its gradient', () => {
  sl.tidy(() => {
    const loss = new sl.losses.MarginLoss({ learnBeta: true, nu: 0.5 });
    const opt = new sl.optim.SGD(loss.parameters(), { lr: 0.1 });
    const before = loss.beta.item();
    loss.forward(sl.randn([7, 5], { seed: 9 }), labels).backward();
    const g = loss.beta.grad!.item();
    opt.step();
    assert.ok(Math.abs(loss.beta.item() - (before - 0.1 * g)) < 1e-6);
  });
});

test('options are checked', () => {
  assert.throws(() => new sl.losses.MarginLoss({ learnbeta: true } as any), /unknown option 'learnbeta'; did you mean 'learnBeta'/);
  assert.throws(() => new sl.losses.MarginLoss({ tripletsPerAnchor: 'some' as any }), /tripletsPerAnchor must be 'all' or a positive integer/);
  assert.throws(() => new sl.losses.MarginLoss({ numClasses: 2.5 }), /numClasses must be a positive integer or null/);
});

test.run();
