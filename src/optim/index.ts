// sl.optim: see the files of this folder.
export {};
