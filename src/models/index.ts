// sl.models: networks built around one shared embedder.
export { Siamese } from './siamese';
export { Triplet, type TripletDistances } from './triplet';
export type { PairedDistance } from './embedding-model';
