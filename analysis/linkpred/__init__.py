"""Link prediction over the store: "which links are missing?"

* ``store_graph``: the store's graph, read in pages, as a typed ``LinkGraph`` with text features.
* ``text_features``: node features from text (MiniLM, cached on disk).
* ``training``: a training run over the store: every model and baseline, the best GNN calibrated and saved.
* ``exclusions``: the concepts a predicted link may not touch (generic ones) and pairs of one name.
* ``scoring`` and ``predictions``: a run's few best new links, scored, and their writes.
* ``explanations``: why a link was predicted (shared neighbours, shortest paths), as data and in words.
* ``temporal``: the check against the future: train on papers up to a year, rank the links written later.
* ``refresh``: the background job that keeps predicted links current.
* ``similarity``: nearest papers and concepts by text and by learned embedding.

The array-level parts (splits, negatives, the evaluator, baselines, GNNs, calibration, candidate
selection) live in ``models.linkpred``.
"""

# Kept here, not beside the code that uses them, so that the command line can show them without importing torch.
DEFAULT_TOP_K = 3  # the most predicted links per node and target type: a paper gets at most 9
# The least calibrated score a written link has: more likely than not the link among 50 alternatives
# (models.linkpred.calibration).  On the real corpus cut at 2022, 5.4% of the links predicted at or above
# it were written in 2023-2024, against 0.1% of those below (papergraph linkpred evaluate-temporal).
DEFAULT_THRESHOLD = 0.5
# Training on 2,000 papers takes minutes on 2 cores; on 100,000 it would take hours.
DEFAULT_MAX_TRAINING_PAPERS = 2000
