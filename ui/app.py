"""The papergraph Streamlit app: ``papergraph ui`` serves it."""

from __future__ import annotations

import threading
from pathlib import Path

import neo4j
import streamlit as st

from graph_schema.errors import PapergraphError
from ui.navigation import app_navigation
from ui.warm_up import import_page_modules

# The browser tab's icon, inlined as a data: address.  A page's own ``:material/…:`` icon would
# become the tab's icon as the navigation arrives, fetched from fonts.gstatic.com: the app's own
# icon is set before the navigation, so that no page ever asks a server off the machine.
FAVICON = Path(__file__).with_name("assets") / "favicon.svg"


@st.cache_resource
def warm_up_once_per_process() -> None:
    """Import, in the background, what every page needs, where the server did not before it
    served (``streamlit run ui/app.py`` rather than ``papergraph ui``: ``ui.streamlit_server``)."""
    threading.Thread(target=import_page_modules, name="papergraph-warm-up", daemon=True).start()


# A local tool: no Deploy button, no developer menu.  `papergraph ui` says so on the command
# line; set here too, `streamlit run ui/app.py` and AppTest behave the same.  The browser
# learns the setting as a run starts, so the run that sets it starts again.
if st.get_option("client.toolbarMode") != "minimal":
    st.set_option("client.toolbarMode", "minimal")
    st.rerun()
st.set_page_config(page_icon=str(FAVICON), layout="wide")
page = app_navigation()
st.set_page_config(page_title=f"{page.title} · papergraph")
# The one place the app turns errors into messages: papergraph's own say what went wrong;
# the store's driver errors mean it stopped answering; anything else is a bug, told
# plainly, with its traceback folded away for a report.
try:
    page.run()
except PapergraphError as error:
    st.error(str(error))
except neo4j.exceptions.DriverError as error:
    st.error(f"The store did not answer ({error}). `papergraph store status` says whether it runs.")
except Exception as error:
    st.error(f"This page stopped on an unexpected error: {type(error).__name__}: {error}")
    with st.expander("Details for a bug report"):
        st.exception(error)
# After the page, so that the warm-up never delays a first render.
warm_up_once_per_process()
