// sl.search: see the files of this folder.
export {};
