// sl.distances: see the files of this folder.
export {};
