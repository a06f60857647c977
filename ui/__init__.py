"""Layer 5 of 5 (graph_schema → models → ingest → analysis → ui): what people use.

The Streamlit app (``app``, ``pages``, and the views it draws) and the
``papergraph`` command line (``cli``, one module per command group).  Nothing
imports ``ui``.
"""
