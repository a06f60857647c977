"""The architecture holds: no import cycle anywhere in papergraph's packages.

The one-way order of the packages themselves (graph_schema → models → ingest →
analysis → ui) is import-linter's ``layers`` contract in ``pyproject.toml``,
which ``scripts/test.sh`` runs; this test adds what a layers contract cannot
see: cycles between modules inside one package.  Imports inside functions
count as imports.
"""

from __future__ import annotations

import grimp
import networkx as nx

PACKAGES = ("graph_schema", "models", "ingest", "analysis", "ui")


def module_import_graph() -> nx.DiGraph:
    imports = grimp.build_graph(*PACKAGES, cache_dir=None)
    graph = nx.DiGraph()
    for module in imports.modules:
        for imported in imports.find_modules_directly_imported_by(module):
            graph.add_edge(module, imported)
    return graph


def test_no_module_imports_another_in_a_loop():
    cycles = [
        sorted(component) for component in nx.strongly_connected_components(module_import_graph()) if len(component) > 1
    ]
    assert cycles == []


def test_the_cycle_check_sees_imports_inside_functions():
    graph = module_import_graph()
    # ``ui.ingest_job`` imports the pipeline only inside its function.
    assert graph.has_edge("ui.ingest_job", "ingest.pipeline")
