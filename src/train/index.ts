// sl.train: see the files of this folder.
export {};
