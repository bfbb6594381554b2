// sl.data: see the files of this folder.
export {};
