// sl.models: see the files of this folder.
export {};
