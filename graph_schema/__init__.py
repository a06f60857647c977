"""Layer 1 of 5 (graph_schema → models → ingest → analysis → ui): the one
definition of the graph and the way to the store.

Labels, relationship types, properties, constraints and indexes (``schema``),
the Cypher that differs between ArcadeDB and Neo4j (``dialect``), the store
connection (``store``, ``settings``, ``arcadedb_server``), the read-only
query console, and the two contracts every layer shares: the error root
(``errors``) and the shape of progress reports (``progress``).  It imports no
other papergraph package.
"""
