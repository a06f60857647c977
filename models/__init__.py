"""Layer 2 of 5 (graph_schema → models → ingest → analysis → ui): learned models.

``extractor``: the SciERC span and relation model, its training and its
committed artifact.  ``linkpred``: link prediction on arrays (splits,
negatives, the one evaluator, baselines, GNNs).  ``runtime``: what the CPU
offers torch.  Nothing here reads or writes the store; it imports only
``graph_schema``.
"""
