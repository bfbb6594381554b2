// norm kernels: see the header of each function.
