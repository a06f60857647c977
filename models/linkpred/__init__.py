"""Link prediction on arrays: splits, negatives, one evaluator, baselines and the GNNs.

Nothing here knows the store; ``analysis.linkpred`` reads the store's graph
into these arrays and writes predictions back.  Modules, in the order data
flows through them:

* ``split``: hold links out (85/5/10) and build the message-passing graph.
* ``negatives``: random and hard (HeaRT-style) negatives for held-out links.
* ``evaluator``: AUC, AP, Hits@K and MRR for any scorer: every model and baseline goes through it.
* ``heuristics`` and ``embeddings``: the baselines (neighbourhood scores, DeepWalk, feature cosine).
* ``gnn`` and ``train``: GraphSAGE encoders (homogeneous or ``to_hetero``) with pair decoders, and their training.
* ``comparison``: every model and baseline on one split, as one report.
* ``runs``: a trained GNN saved to disk with its config and metrics.
* ``files`` and ``synthetic``: edge-list files and generated graphs.
"""

# Kept here, not beside the code that uses them, so that the command line
# can show them without importing torch.
DEFAULT_MAX_EPOCHS = 100  # each of four mini-batch steps (models.linkpred.train)
DEFAULT_PATIENCE = 10  # epochs without a better validation AUC before training stops
DEFAULT_NEGATIVES = 100  # per held-out link, in each negative regime
