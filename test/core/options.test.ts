// checkOptions: the one validator of every options object of the public API.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { checkOptions } from '../../src/options';

await sl.init();

const spec = { metric: ['euclidean', 'cosine'], excludeSelf: 'boolean', k: 'integer', margin: 'number', distance: ['object', 'null'] } as const;

test('checkOptions accepts known keys of the right kind, and undefined as absent', () => {
  assert.equal(checkOptions('f', undefined, spec), {});
  const o = { metric: 'cosine', excludeSelf: true, k: 3, margin: 0.5, distance: null, extra: undefined };
  assert.throws(() => checkOptions('f', o, spec), /unknown option 'extra'/);
  const ok = { metric: 'cosine', excludeSelf: undefined, k: 3, margin: 0.5, distance: {} };
  assert.is(checkOptions('f', ok, spec), ok);
});

test('checkOptions names the nearest known key for a misspelt one', () => {
  assert.throws(() => checkOptions('topK', { metirc: 'cosine' }, spec), (e: Error) => e instanceof TypeError && /topK: unknown option 'metirc'; did you mean 'metric'\?/.test(e.message));
  assert.throws(() => checkOptions('TripletMarginLoss', { margn: 1 }, spec), /did you mean 'margin'/);
  assert.throws(() => checkOptions('f', { zzzzzzzz: 1 }, spec), (e: Error) => !/did you mean/.test(e.message) && /known: metric, excludeSelf, k, margin, distance/.test(e.message));
});

test('checkOptions rejects values of the wrong kind and non-objects', () => {
  assert.throws(() => checkOptions('f', { excludeSelf: 'yes' }, spec), /f: option excludeSelf must be true or false, got "yes"/);
  assert.throws(() => checkOptions('f', { margin: Infinity }, spec), /option margin must be a finite number, got number Infinity/);
  assert.throws(() => checkOptions('f', { margin: NaN }, spec), /finite number/);
  assert.throws(() => checkOptions('f', { k: 1.5 }, spec), /option k must be an integer/);
  assert.throws(() => checkOptions('f', { metric: 'manhatan' }, spec), /option metric must be one of 'euclidean', 'cosine', got "manhatan"/);
  assert.throws(() => checkOptions('f', { distance: 3 }, spec), /option distance must be an object or null/);
  for (const bad of [null, 5, 'x', [1], sl.zeros([1])]) assert.throws(() => checkOptions('init', bad, spec), /init: options must be an object of named options/);
});
test.run();
