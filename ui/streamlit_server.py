"""``python -m ui.streamlit_server run ui/app.py [options]``: Streamlit's own command line, in a
process that has imported every page's libraries before it serves (``ui.warm_up``).  Imported in
a thread beside the first visits instead, they took the GIL and both cores from the pages being
drawn; here they cost the server's start (a few seconds, before ``papergraph ui`` says the app
is up) and no page's first visit.

Streamlit collects every generation of garbage after each script run (``runner.postScriptGC``):
over the half million objects those libraries make, that took 0.3 s of every page visit with the
GIL held, the next page's requests waiting on it.  Frozen once imported (``gc.freeze``), they are
left out of every collection; what the pages make is still collected."""

from __future__ import annotations

import gc
import sys

from ui.warm_up import draw_a_graph, import_page_modules


def main() -> None:
    import_page_modules()
    draw_a_graph()
    gc.freeze()
    from streamlit.web.cli import main as streamlit_main

    streamlit_main(args=sys.argv[1:], prog_name="streamlit")


if __name__ == "__main__":
    main()
