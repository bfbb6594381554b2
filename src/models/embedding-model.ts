// The shared part of Siamese and Triplet: one embedder (an sl.nn.Module) whose weights are
// the model's weights under the embedder's own names (so a state dict loads into the same
// embedder in PyTorch), and a distance. A learned distance (one with parameters(), such as
// LearnedMahalanobis) adds its tensors under 'distance.<name>'.
import { Tensor, fmtShape } from '../autograd/tensor';
import { Module } from '../nn/module';

/** What a model needs from a distance: row-wise distances of two [n, d] batches. */
export interface PairedDistance {
  paired(x: Tensor, y: Tensor): Tensor;
  parameters?(): Tensor[];
  stateDict?(): Record<string, Tensor>;
  readonly isInverted?: boolean;
}

/** A learned distance's tensors seen as a module: parameters and fixed tensors by name. */
class DistanceTensors extends Module {
  constructor(distance: PairedDistance) {
    super();
    const params = new Set(distance.parameters!());
    for (const [name, t] of Object.entries(distance.stateDict!())) {
      if (params.has(t)) this.registerParameter(name, t);
      else this.registerBuffer(name, t);
    }
  }

  forward(): never {
    throw new Error('DistanceTensors has no forward');
  }
}

export abstract class EmbeddingModel extends Module {
  constructor(name: string, readonly embedder: Module, readonly distance: PairedDistance) {
    super();
    if (!(embedder instanceof Module)) throw new TypeError(`${name}: embedder must be an sl.nn.Module (e.g. an sl.nn.Sequential)`);
    if (!distance || typeof distance.paired !== 'function') {
      throw new TypeError(`${name}: distance must be a distance object with paired(x, y) (e.g. new sl.distances.LpDistance())`);
    }
    this.registerModule('', embedder);
    if (distance instanceof Module) this.registerModule('distance', distance);
    else if (typeof distance.parameters === 'function' && typeof distance.stateDict === 'function' && distance.parameters().length > 0) {
      this.registerModule('distance', new DistanceTensors(distance));
    }
  }

  /** The embedder's output for x. */
  embed(x: Tensor): Tensor {
    return this.embedder.forward(x);
  }

  protected checkSameBatch(fn: string, named: [string, Tensor][]): void {
    const [n0, t0] = named[0];
    for (const [n, t] of named) {
      t.ptr;
      if (t.shape.length === 0 || t.shape[0] !== t0.shape[0]) {
        throw new Error(`${fn}: ${n0} is ${fmtShape(t0.shape)} but ${n} is ${fmtShape(t.shape)}: inputs must have the same batch size`);
      }
    }
  }
}
