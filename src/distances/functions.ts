// Top-level distance functions: sl.cdist, sl.pairedDistance, sl.cosineSimilarity, sl.checkMetricAxioms.
export {};
