import { Tensor } from '../autograd/tensor';

/**
 * Frees an intermediate at once when nothing can read it again: in inference (t records no
 * graph, so no backward will) and when it is not the caller's input x. Keeps the peak memory
 * of a deep model's forward near two activations instead of all of them.
 */
export function release(t: Tensor, x: Tensor): void {
  if (t !== x && !t.requiresGrad && !t.isDisposed) t.dispose();
}
