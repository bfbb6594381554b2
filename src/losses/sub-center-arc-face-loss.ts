import { tensor } from '../autograd/create';
import { Tensor, noGrad, tidy } from '../autograd/tensor';
import { transpose } from '../ops/gemm';
import { maskedMax } from '../ops/masked';
import { reshape } from '../ops/shape';
import { checkEmbeddings, checkLabels, type Labels } from '../tuples/batch';
import { ArcFaceLoss, type ArcFaceLossOptions } from './arc-face-loss';
import { LARGE_MARGIN_OPTIONS } from './large-margin-softmax-loss';
import { requireOptions } from './weighted-loss';

export interface SubCenterArcFaceLossOptions extends ArcFaceLossOptions {
  /** Centres per class. Default 3. */
  subCenters?: number;
}

/**
 * Sub-center ArcFace (Deng et al. 2020), as PML's: ArcFace over the largest cosine of each
 * class's subCenters columns of W [embeddingSize, numClasses · subCenters] (class c's columns
 * c·s … c·s + s − 1). getOutliers finds the samples far from their class's dominant centre.
 * (PML's constructor drops every option but numClasses, embeddingSize, margin, scale and
 * subCenters; here the others are honoured.)
 *
 * @example
 * const loss = new sl.losses.SubCenterArcFaceLoss({ numClasses: 10, embeddingSize: 64 });
 * const [outliers, dominantCenters] = loss.getOutliers(embeddings, labels);
 */
export class SubCenterArcFaceLoss extends ArcFaceLoss {
  readonly subCenters: number;

  constructor(options: SubCenterArcFaceLossOptions) {
    const name = 'SubCenterArcFaceLoss';
    const o = requireOptions<SubCenterArcFaceLossOptions>(name, options, { ...LARGE_MARGIN_OPTIONS, subCenters: 'integer' }, ['numClasses', 'embeddingSize']);
    const s = o.subCenters ?? 3;
    if (!(s > 0)) throw new Error(`${name}: subCenters must be a positive integer, got ${s}`);
    super(o, { name, options: o, defaults: { margin: 28.6, scale: 64 }, columnsPerClass: s });
    this.subCenters = s;
  }

  /** The largest cosine over each class's sub-centres [n, numClasses]. */
  protected getCosine(embeddings: Tensor): Tensor {
    const n = embeddings.shape[0];
    const all = reshape(this.distance.pairwise(embeddings, transpose(this.W)), [n * this.numClasses, this.subCenters]);
    return reshape(maskedMax(all, null), [n, this.numClasses]);
  }

  /**
   * PML's get_outliers: per class in the batch, the dominant sub-centre (the one most of the
   * class's samples are closest to; the first on ties) and the samples whose cosine to it is
   * below cos(threshold°). Returns [outliers, dominantCenters] as PML does (whatever its
   * return_dominant_centers): outliers the sample indices class by class, dominantCenters
   * [embeddingSize, numClasses] with NaN columns for classes absent from the batch (PML
   * leaves them uninitialised). No gradient.
   */
  getOutliers(embeddings: Tensor, labels: Labels, threshold = 75): [Int32Array, Tensor] {
    const fn = `${this.name}.getOutliers`;
    checkEmbeddings(fn, 'embeddings', embeddings);
    const lab = checkLabels(fn, labels, embeddings.shape[0]);
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new Error(`${fn}: threshold must be a finite number of degrees, got ${String(threshold)}`);
    const bad = lab.findIndex((l) => l < 0 || l >= this.numClasses);
    if (bad >= 0) throw new Error(`${fn}: labels must lie in [0, ${this.numClasses}), got ${lab[bad]} at ${bad}`);
    const d = this.embeddingSize, c = this.numClasses, s = this.subCenters, m = c * s;
    if (embeddings.shape[1] !== d) throw new Error(`${fn}: embeddings are [${embeddings.shape}] but W expects embedding size ${d}`);
    const cos = tidy(() => noGrad(() => this.distance.pairwise(embeddings, transpose(this.W)).data()));
    const w = this.W.data();
    const cosThreshold = Math.cos((threshold * Math.PI) / 180);
    const outliers: number[] = [];
    const centers = new Float32Array(d * c).fill(NaN);
    for (let label = 0; label < c; label++) {
      const members = [...lab.keys()].filter((i) => lab[i] === label);
      if (members.length === 0) continue;
      const counts = new Array<number>(s).fill(0);
      for (const i of members) {
        let best = 0;
        for (let j = 1; j < s; j++) if (cos[i * m + label * s + j] > cos[i * m + label * s + best]) best = j;
        counts[best]++;
      }
      const dominant = counts.indexOf(Math.max(...counts));
      const col = label * s + dominant;
      for (let r = 0; r < d; r++) centers[r * c + label] = w[r * m + col];
      for (const i of members) if (cos[i * m + col] < cosThreshold) outliers.push(i);
    }
    return [Int32Array.from(outliers), tensor(centers, [d, c])];
  }
}
