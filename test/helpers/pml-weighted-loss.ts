// Runs the PML fixture cases of the losses with learnable weights
// (test/fixtures/pml/losses_weighted.jsonl): each case's `state` (PML's weights by attribute
// name) is loaded with loadStateDict, then the value, the gradients to the embeddings and to
// the weights, the loss dictionary (checkLossCase), getLogits and the weights PML left after
// the call (stateAfter) are compared with PML's float64 references.
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { flat, pmlCases, type LossCase, type Matrix } from './pml-fixtures';
import { assertPmlClose, buildOptions, checkLossCase, tensorOf } from './pml-loss';

type Make = (options: Record<string, unknown>) => any;

/** A loss built from the case's options with the case's state loaded. */
export function loadedLoss(c: LossCase, make: Make): any {
  const loss = make(buildOptions(c.options));
  const state = (c as any).state as Record<string, Matrix> | undefined;
  if (state) loss.loadStateDict(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, tensorOf(v)])));
  return loss;
}

export function weightedCases(cls: string): LossCase[] {
  return pmlCases('losses_weighted', { class: cls, kind: 'loss' }) as LossCase[];
}

/** One uvu test per fixture case of `cls`, and one that there are at least minCases. */
export function pmlWeightedLossTests(test: (name: string, fn: () => void) => void, cls: string, make: Make, minCases: number, rtol = 1e-4): void {
  const cases = weightedCases(cls);
  test(`fixtures cover ${cls}`, () => assert.ok(cases.length >= minCases, `${cases.length} cases`));
  for (const c of cases) {
    const e = c.expected as any;
    test(`PML ${c.id}: value, gradients (embeddings, weights), loss dictionary${e.logits ? ', logits' : ''}${e.stateAfter ? ', weights after' : ''}`, () => {
      checkLossCase(c, make, rtol);
      sl.tidy(() => {
        const d = c.inputs.embeddings[0].length;
        const loss = loadedLoss(c, make);
        const emb = tensorOf(c.inputs.embeddings, false, d);
        if (e.logits) assertPmlClose(loss.getLogits(emb).data(), flat(e.logits).data, `${c.id}: logits`, rtol);
        if (e.stateAfter) {
          loss.forward(emb, c.inputs.labels);
          for (const [k, want] of Object.entries(e.stateAfter as Record<string, Matrix>)) {
            assertPmlClose(loss.stateDict()[k].data(), flat(want).data, `${c.id}: ${k} after the call`, rtol);
          }
        }
      });
    });
  }
}
