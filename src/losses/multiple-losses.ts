// PML's MultipleLosses: the weighted sum of several losses on the same batch, each with its
// own miner (or the tuples given to forward). losses, miners and weights are arrays (miners
// may hold null) or objects keyed alike (miners' keys a subset of the losses').
import { Tensor, composite } from '../autograd/tensor';
import { add, mul } from '../ops/eltwise';
import { checkOptions } from '../options';
import type { Labels, Tuples } from '../tuples/batch';
import { checkMiner, type TupleMiner } from './loss-wrapper';

type Forwardable = { forward(embeddings: Tensor, labels: Labels | null, tuples?: Tuples | null): Tensor };
type Keyed<T> = readonly T[] | Readonly<Record<string, T>>;

export interface MultipleLossesOptions {
  /** The losses (required): an array, or an object of named losses. */
  losses: Keyed<Forwardable>;
  /** One miner per loss (null: none) as an array, or an object keyed by some of the losses' names. Default none. */
  miners?: Keyed<TupleMiner | null> | null;
  /** One weight per loss, keyed like losses. Default 1 each. */
  weights?: Keyed<number> | null;
}

export class MultipleLosses {
  readonly name = 'MultipleLosses';
  readonly isDict: boolean;
  readonly losses: Keyed<Forwardable>;
  readonly miners: Keyed<TupleMiner | null> | null;
  readonly weights: Keyed<number>;
  private readonly keys: string[];

  constructor(options: MultipleLossesOptions) {
    const fn = 'MultipleLosses';
    const o = checkOptions<MultipleLossesOptions>(fn, options, { losses: ['array', 'object'], miners: ['array', 'object', 'null'], weights: ['array', 'object', 'null'] });
    if (o.losses === undefined) throw new TypeError(`${fn}: options.losses is required (an array or an object of losses)`);
    this.isDict = !Array.isArray(o.losses);
    this.losses = o.losses;
    this.keys = Object.keys(o.losses);
    if (this.keys.length === 0) throw new Error(`${fn}: losses is empty`);
    for (const k of this.keys) {
      const l = (o.losses as Record<string, Forwardable>)[k];
      if (l === null || typeof l !== 'object' || typeof l.forward !== 'function') throw new TypeError(`${fn}: losses[${k}] must be a loss with forward()`);
    }
    this.miners = o.miners == null ? null : o.miners;
    if (this.miners !== null) {
      this.checkKeyed('miners', this.miners, false);
      for (const [k, m] of Object.entries(this.miners)) if (m !== null) checkMiner(fn, `miners[${k}]`, m);
    }
    if (o.weights != null) {
      this.checkKeyed('weights', o.weights, true);
      for (const [k, w] of Object.entries(o.weights)) if (typeof w !== 'number' || !Number.isFinite(w)) throw new TypeError(`${fn}: weights[${k}] must be a finite number, got ${String(w)}`);
      this.weights = o.weights;
    } else {
      this.weights = this.isDict ? Object.fromEntries(this.keys.map((k) => [k, 1])) : this.keys.map(() => 1);
    }
  }

  private checkKeyed(what: string, x: object, allKeys: boolean): void {
    const fn = 'MultipleLosses';
    if (Array.isArray(x) !== !this.isDict) throw new TypeError(`${fn}: ${what} must be ${this.isDict ? 'an object keyed like losses' : 'an array like losses'}`);
    if (!this.isDict) {
      if ((x as unknown[]).length !== this.keys.length) throw new Error(`${fn}: ${what} has ${(x as unknown[]).length} entries but there are ${this.keys.length} losses`);
      return;
    }
    const ks = Object.keys(x);
    const unknown = ks.filter((k) => !this.keys.includes(k));
    if (unknown.length) throw new Error(`${fn}: ${what} has keys [${unknown.join(', ')}] that losses does not (${this.keys.join(', ')})`);
    if (allKeys && ks.length !== this.keys.length) throw new Error(`${fn}: ${what} must have every key of losses (${this.keys.join(', ')}), got ${ks.join(', ')}`);
  }

  /** Σ weight_i · loss_i(embeddings, labels, tuples of miner_i or the given tuples) -> scalar. */
  forward(embeddings: Tensor, labels: Labels | null, tuples?: Tuples | null): Tensor {
    if (this.miners !== null && tuples != null) throw new Error('MultipleLosses.forward: tuples cannot be given when the losses have miners');
    return composite(() => {
      let total: Tensor | null = null;
      for (const k of this.keys) {
        const loss = (this.losses as Record<string, Forwardable>)[k];
        const miner = this.miners === null ? null : ((this.miners as Record<string, TupleMiner | null>)[k] ?? null);
        const t = miner === null ? (tuples ?? null) : (miner.mine(embeddings, labels as Labels) as unknown as Tuples);
        const term = mul(loss.forward(embeddings, labels, t), (this.weights as Record<string, number>)[k]);
        total = total === null ? term : add(total, term);
      }
      return total!;
    });
  }
}
