// sl.search: exact nearest-neighbour search.
export { topK, type TopKOptions, type TopKResult } from './topk';
export { quantize, QuantizedRefs, type QuantizeOptions, type QuantTopKOptions, type QuantMetric, type QuantScales } from './quantize';
