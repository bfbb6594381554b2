import { Tensor, isGradEnabled } from '../autograd/tensor';
import type { Module } from './module';

/**
 * Frees an intermediate at once when nothing can read it again: with gradient recording off
 * (noGrad, as inference runs), no backward will, and t is not the caller's input x. Keeps the
 * peak memory of a deep model's forward near two activations instead of all of them. With
 * recording on, t stays even when it needs no gradient itself: the next layer's backward may
 * read it for its own weights (a frozen trunk under a trained head).
 */
export function release(t: Tensor, x: Tensor): void {
  if (t !== x && !isGradEnabled() && !t.isDisposed) t.dispose();
}

/** Whether m's forward on x records nothing: recording off, or neither x nor any parameter of m needs a gradient. */
export function recordsNothing(x: Tensor, m: Module): boolean {
  return !isGradEnabled() || (!x.requiresGrad && m.parameters().every((p) => !p.requiresGrad));
}
