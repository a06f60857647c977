"""Link prediction over papergraph's graph: leak-free splits, negatives, one evaluator, baselines.

Modules, in the order data flows through them:

* ``split``: hold links out (85/5/10) and build the message-passing graph.
* ``negatives``: random and hard (HeaRT-style) negatives for held-out links.
* ``evaluator``: AUC, AP, Hits@K and MRR for any scorer.
* ``heuristics`` and ``embeddings``: the baselines.
* ``pipeline``: every model and baseline on one split.
* ``text_features``: node features from text (MiniLM, cached on disk).
* ``files`` and ``synthetic``: input files and generated graphs.

The GNNs live in ``models.linkpred``; ``analysis.store_graph`` and
``analysis.predictions`` apply all of this to the store's graph.
"""

# Kept here, not beside the code that uses them, so that the command line
# can show them without importing torch.
DEFAULT_NEGATIVES = 100  # per held-out link, in each negative regime
DEFAULT_TOP_K = 5  # predicted links per node and target type (``analysis.predictions``)
