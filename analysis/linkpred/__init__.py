"""Link prediction over the store: "which links are missing?"

* ``store_graph``: the store's graph, read in pages, as a typed ``LinkGraph`` with text features.
* ``text_features``: node features from text (MiniLM, cached on disk).
* ``predictions``: a training run over the store, top-k scoring of new links, and their writes.
* ``explanations``: why a link was predicted (shared neighbours, shortest paths).
* ``similarity``: nearest papers and concepts by text and by learned embedding.

The array-level parts (splits, negatives, the evaluator, baselines, GNNs) live in ``models.linkpred``.
"""

# Kept here, not beside the code that uses it, so that the command line can show it without importing torch.
DEFAULT_TOP_K = 5  # predicted links per node and target type
# Full-batch training on 2,000 papers takes minutes on 2 cores; on 100,000 it would take hours.
DEFAULT_MAX_TRAINING_PAPERS = 2000
