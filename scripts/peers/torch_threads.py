"""Imports torch with every thread pool pinned to the same count (the peers' one way to set threads)."""
import os


def torch_with_threads(threads):
    """Sets OMP/MKL/OpenBLAS thread counts before torch is imported (they are read at import) and returns torch."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    os.environ.pop("OPENBLAS_CORETYPE", None)
    os.environ.pop("OPENBLAS_L2_SIZE", None)
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    return torch
