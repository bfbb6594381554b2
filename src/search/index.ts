// sl.search: exact nearest-neighbour search.
export { topK, type TopKOptions, type TopKResult } from './topk';
export { quantize, QuantizedRefs, type QuantizeOptions, type QuantTopKOptions, type QuantMetric } from './quantize';
