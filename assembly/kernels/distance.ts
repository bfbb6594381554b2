// distance kernels: see the header of each function.
