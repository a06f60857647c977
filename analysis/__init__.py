"""Layer 4 of 5 (graph_schema → models → ingest → analysis → ui): what the graph says.

Reading the graph in pages (``graph_reader``), statistics (``stats``,
``graph_stats``), the results table and concept report, link prediction over
the store (``linkpred``), and the store queries the app and the command line
share: search, details of a node, neighbourhoods and exports.  None of it
imports Streamlit or click.
"""
