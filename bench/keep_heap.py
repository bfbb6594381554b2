"""Imported first by every timed Python peer (PyTorch, PML, metric-learn): glibc's malloc is
told to keep freed memory (no trimming, no mmap for big blocks). By default each call's
multi-megabyte tensors and arrays are mmapped and unmapped again, and on this VM the page
faults of touching them afresh can cost more than the arithmetic (the W4 PyTorch step ran
3.4x slower, two servers interleaved). simlearn's wasm heap keeps its pages, so the peers
keep theirs too."""
import ctypes

try:  # glibc: M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4
    _libc = ctypes.CDLL("libc.so.6")
    _libc.mallopt(-1, 2**30)
    _libc.mallopt(-4, 0)
except OSError:
    pass
