"""Learned SciERC entity and relation extractor (MiniLM span model).

- ``scierc``: reading/writing SciERC JSON lines and strict scoring;
- ``model``: the network, prediction and the artifact format;
- ``train``: the training loop that writes ``artifacts/``.
"""
