"""What the app's pages import, imported ahead of their first visit: a page would otherwise pay
for its libraries (a second and more of altair, pyvis, networkx, torch...) when first opened."""

from __future__ import annotations

import ast
import functools
import importlib

from ui.navigation import PAGE_FILES

# Imported by a page only when it draws: spaCy's displaCy (the Paper page's abstract), which pulls
# torch in through thinc.
IMPORTED_LATER = ("spacy.displacy",)


def page_imports() -> list[str]:
    """The modules the pages import, as their files name them, page by page in the navigation's order."""
    modules: list[str] = []
    for path in PAGE_FILES:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.append(node.module)
    return list(dict.fromkeys(modules))


@functools.cache  # once per process: the app's own warm-up finds them imported by the server
def import_page_modules() -> None:
    for module in [*page_imports(), *IMPORTED_LATER]:
        try:
            importlib.import_module(module)
        except Exception:  # the page that needs it reports the error when it runs
            pass


def draw_a_graph() -> None:
    """A small drawing, made once before the first visit: the first graph a visitor opens would
    otherwise also pay for compiling pyvis's page template and for the layout's first run."""
    import networkx as nx

    from graph_schema.schema import Label, Rel
    from ui.graph_view import graph_html

    graph = nx.MultiDiGraph()
    for key in ("a", "b", "c"):
        graph.add_node(key, label=Label.METHOD, id=key, caption=key)
    graph.add_edge("a", "b", type=Rel.USED_FOR, props={})
    graph.add_edge("b", "c", type=Rel.PREDICTED_LINK, props={})
    graph_html(graph, library="/")
