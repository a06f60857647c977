"""``python -m ui.streamlit_server run ui/app.py [options]``: Streamlit's own command line, in a
process that has imported every page's libraries before it serves (``ui.warm_up``).  Imported in
a thread beside the first visits instead, they took the GIL and both cores from the pages being
drawn; here they cost the server's start (a few seconds, before ``papergraph ui`` says the app
is up) and no page's first visit."""

from __future__ import annotations

import sys

from ui.warm_up import import_page_modules


def main() -> None:
    import_page_modules()
    from streamlit.web.cli import main as streamlit_main

    streamlit_main(args=sys.argv[1:], prog_name="streamlit")


if __name__ == "__main__":
    main()
