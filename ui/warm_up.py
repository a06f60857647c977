"""What the app's pages import, imported ahead of their first visit: a page would otherwise pay
for its libraries (a second and more of altair, pyvis, networkx, torch...) when first opened."""

from __future__ import annotations

import ast
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


def import_page_modules() -> None:
    for module in [*page_imports(), *IMPORTED_LATER]:
        try:
            importlib.import_module(module)
        except Exception:  # the page that needs it reports the error when it runs
            pass
