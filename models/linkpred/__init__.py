"""GNN link predictors: GraphSAGE encoders (homogeneous or ``to_hetero``) with pair decoders.

``train.train_link_predictor(data, target_edge_types)`` splits, trains and
tests in one call; ``train.score_pairs`` scores any pairs afterwards.
"""

# Kept here, not in ``train``, so that the command line can show it without importing torch.
DEFAULT_MAX_EPOCHS = 500
