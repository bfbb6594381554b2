// Published cross-check values computed with pytorch-metric-learning in float32, to 1e-5:
// unit vectors x0 = (1, 0), x1 = (0.8, 0.6), x2 = (0, 1), x3 = (−0.6, 0.8), labels [0, 0, 1, 1].
import { test } from 'uvu';
import * as sl from '../../src/index';
import { close } from './helpers';

await sl.init();

const { losses: L, distances: D, miners: M } = sl;
const labels = [0, 0, 1, 1];
const points = () => sl.tensor([[1, 0], [0.8, 0.6], [0, 1], [-0.6, 0.8]]);

const values: [string, (x: sl.Tensor) => sl.Tensor, number][] = [
  ['ContrastiveLoss()', (x) => new L.ContrastiveLoss().forward(x, labels), 0.738028],
  ['ContrastiveLoss({ distance: LpDistance({ power: 2 }) })', (x) => new L.ContrastiveLoss({ distance: new D.LpDistance({ power: 2 }) }).forward(x, labels), 0.6],
  ['TripletMarginLoss({ margin: 0.3 })', (x) => new L.TripletMarginLoss({ margin: 0.3 }).forward(x, labels), 0.038028],
  ['TripletMarginLoss({ margin: 1 })', (x) => new L.TripletMarginLoss({ margin: 1 }).forward(x, labels), 0.391504],
  ['BatchHardMiner + TripletMarginLoss({ margin: 1 })', (x) => new L.TripletMarginLoss({ margin: 1 }).forward(x, labels, new M.BatchHardMiner().mine(x, labels)), 0.478135],
  ['MultiSimilarityLoss()', (x) => new L.MultiSimilarityLoss().forward(x, labels), 0.268811],
  ['NTXentLoss()', (x) => new L.NTXentLoss().forward(x, labels), 0.027933],
];

for (const [name, run, want] of values) {
  test(`cross-check: ${name} = ${want}`, () => {
    sl.tidy(() => {
      const got = run(points()).item();
      if (!(Math.abs(got - want) <= 1e-5)) throw new Error(`${name}: got ${got}, want ${want} (tolerance 1e-5)`);
      close(got, want, 1e-5, name);
    });
  });
}

test.run();
