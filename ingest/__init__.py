"""Layer 3 of 5 (graph_schema → models → ingest → analysis → ui): files to graph.

Read, clean and de-duplicate listings (``readers``), extract mentions and
relations with any ``extract.Extractor``, resolve variants into concepts
(``resolve``, ``normalize``, ``acronyms``), find claims (``claims``), and
write it all (``writer``, ``concept_layer``); ``pipeline`` wires the stages.
Ingest ends at the graph: statistics and learning over it are ``analysis``.
"""
