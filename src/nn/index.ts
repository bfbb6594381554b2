// sl.nn: see the files of this folder.
export {};
