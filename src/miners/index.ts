// sl.miners: see the files of this folder.
export {};
