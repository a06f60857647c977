"""What this machine offers torch: native bfloat16, and how many threads to use.

Torch is imported inside the functions, so that the command line can name them without loading it.
"""

from __future__ import annotations


def native_bf16() -> bool:
    """Whether this CPU does bfloat16 arithmetic natively (AVX512-BF16 or AMX).

    There the encoder runs under bf16 autocast at prediction: on the 2-core
    AMD EPYC this was measured on, 1.6x faster, with the same entity F1 on
    SciERC dev.  Elsewhere bf16 is emulated and slower, so float32 is kept."""
    import torch

    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # private probes: absent from some torch builds
        return False


def encoder_precision() -> str:
    """What the encoder runs in at prediction by default."""
    return "bfloat16" if native_bf16() else "float32"


def use_torch_threads(threads: int) -> None:
    """Run torch's CPU kernels on ``threads`` threads.  On graphs of a few
    thousand nodes each operation is small, and on a busy two-core machine a
    second thread mostly waits: link prediction trained 20-80 times slower."""
    import torch

    torch.set_num_threads(threads)
