// sl.io: see the files of this folder.
export {};
