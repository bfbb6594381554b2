// sl.reducers: see the files of this folder.
export {};
