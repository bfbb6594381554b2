// The command line of `npm run train`: every family name and `all` parse, the defaults are the
// main job, and every bad input is an error that names the flag and lists what is valid.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LOSS_NAMES, TRAIN_USAGE, parseTrainArgs } from '../../examples/lib/train-args';
import { LOSS_FAMILIES } from '../../examples/lib/loss-families';

test('no arguments: the triplet job with its own epochs', () => {
  assert.equal(parseTrainArgs([]), { loss: 'triplet', epochs: null });
});

test('every family name and all, as --loss x and --loss=x, with --epochs in either form and order', () => {
  assert.equal([...LOSS_NAMES], ['triplet', 'contrastive', 'multi-similarity', 'supcon', 'proxy-anchor', 'arcface', 'soft-triple']);
  for (const name of [...LOSS_NAMES, 'all']) {
    assert.equal(parseTrainArgs(['--loss', name]), { loss: name, epochs: null });
    assert.equal(parseTrainArgs([`--loss=${name}`, '--epochs', '3']), { loss: name, epochs: 3 });
    assert.equal(parseTrainArgs(['--epochs=12', '--loss', name]), { loss: name, epochs: 12 });
  }
  assert.equal(parseTrainArgs(['--epochs', '1']), { loss: 'triplet', epochs: 1 });
});

test('an unknown loss lists every valid name', () => {
  const valid = 'triplet, contrastive, multi-similarity, supcon, proxy-anchor, arcface, soft-triple, all';
  for (const bad of ['tripletloss', 'Triplet', 'ntxent', 'ALL']) {
    assert.throws(() => parseTrainArgs(['--loss', bad]), (e: Error) => e.message === `train: unknown loss '${bad}'; valid: ${valid}`);
  }
});

test('epochs must be a whole number ≥ 1', () => {
  for (const bad of ['0', '-1', '2.5', '1e3', 'ten', ' 3', '0x10', '99999999999999999999']) {
    assert.throws(() => parseTrainArgs(['--epochs', bad]), new RegExp(`--epochs must be an integer ≥ 1, got '${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
  }
  assert.throws(() => parseTrainArgs(['--epochs']), /train: --epochs needs a value/);
  assert.throws(() => parseTrainArgs(['--epochs=']), /train: --epochs needs a value/);
  assert.throws(() => parseTrainArgs(['--loss', '--epochs', '2']), /train: --loss needs a value/);
});

test('unknown flags, bare values and repeated flags are errors', () => {
  assert.throws(() => parseTrainArgs(['--lr', '0.1']), /train: unknown argument '--lr' \(expected --loss <name> or --epochs N\)/);
  assert.throws(() => parseTrainArgs(['triplet']), /train: unknown argument 'triplet'/);
  assert.throws(() => parseTrainArgs(['--loss', 'supcon', 'arcface']), /train: unknown argument 'arcface'/);
  assert.throws(() => parseTrainArgs(['--loss', 'supcon', '--loss=arcface']), /train: --loss given twice/);
});

test('the usage names every loss, and every name has a family with its epochs', () => {
  for (const name of LOSS_NAMES) {
    assert.ok(TRAIN_USAGE.includes(name), name);
    assert.ok(Number.isInteger(LOSS_FAMILIES[name].epochs) && LOSS_FAMILIES[name].epochs >= 1, name);
  }
  assert.equal(Object.keys(LOSS_FAMILIES).sort(), [...LOSS_NAMES].sort());
});

test.run();
