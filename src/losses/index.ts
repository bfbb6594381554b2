// sl.losses: see the files of this folder.
export {};
