// BatchHardMiner, PairMarginMiner and TripletMarginMiner against PML 2.8.1
// (test/fixtures/pml/miners.jsonl): the mined tuples compared as sets, for every option,
// situation (singleton class, all-same and all-distinct labels) and a reference set.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlCases, tupleSet } from '../helpers/pml-fixtures';
import { buildOptions, tensorOf } from '../helpers/pml-loss';

await sl.init();

for (const cls of ['BatchHardMiner', 'PairMarginMiner', 'TripletMarginMiner'] as const) {
  const cases = pmlCases('miners', { class: cls, kind: 'miner' }).filter((c) => c.inputs !== null && c.expected.tuples);
  test(`${cls}: the fixtures hold its cases, a reference set among them`, () => {
    assert.ok(cases.length >= 8 && cases.some((c) => c.inputs!.refEmb !== null), `${cases.length}`);
  });
  for (const c of cases) {
    test(`PML ${c.id}`, () => {
      sl.tidy(() => {
        const { embeddings, labels, refEmb, refLabels } = c.inputs!;
        const d = embeddings[0].length;
        const miner = new (sl.miners as any)[cls](buildOptions(c.options));
        const got = miner.mine(tensorOf(embeddings, false, d), labels, refEmb ? tensorOf(refEmb, false, d) : null, refLabels);
        assert.equal([...tupleSet(got)].sort(), [...tupleSet(c.expected.tuples!)].sort());
      });
    });
  }
}

test('TripletMarginMiner: typeOfTriplets and its alias type agree, or the constructor says so', () => {
  assert.is(new sl.miners.TripletMarginMiner({ type: 'hard' }).typeOfTriplets, 'hard');
  assert.is(new sl.miners.TripletMarginMiner({ typeOfTriplets: 'easy' }).type, 'easy');
  assert.throws(() => new sl.miners.TripletMarginMiner({ type: 'hard', typeOfTriplets: 'easy' }), /typeOfTriplets 'easy' and its alias type 'hard' disagree/);
  sl.tidy(() => {
    assert.throws(() => new sl.miners.BatchHardMiner().mine(sl.randn([3, 2], { seed: 1 }), [0, 1, 0], sl.randn([2, 2], { seed: 2 })), /refEmb needs refLabels/);
  });
});

test.run();
