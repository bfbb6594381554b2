// sl.metrics: see the files of this folder.
export {};
