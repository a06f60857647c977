"""The one root of papergraph's own errors.

Every failure papergraph can explain to a person (bad input, a store that
does not answer, a refused query, a missing model or run) raises a subclass
of ``PapergraphError`` whose message is the whole explanation.  The command
line turns these into one ``Error: ...`` line in one place
(``ui.cli.common``), and the app shows them as a message.
"""


class PapergraphError(Exception):
    """A failure papergraph explains in its message; anything else is a bug."""
