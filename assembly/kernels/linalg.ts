// linalg kernels: see the header of each function.
