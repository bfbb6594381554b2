// sl.search: exact nearest-neighbour search.
export { topK, type TopKOptions, type TopKResult } from './topk';
