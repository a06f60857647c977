"""The one root of papergraph's own errors.

Every failure papergraph can explain to a person (bad input, a store that
does not answer, a refused query, a missing model or run) raises a subclass
of ``PapergraphError`` whose message is the whole explanation.  The command
line turns these into one ``Error: ...`` line in one place
(``ui.cli.common``), and the app shows them as a message.
"""


class PapergraphError(Exception):
    """A failure papergraph explains in its message; anything else is a bug."""


class InputFileError(PapergraphError):
    """A file papergraph cannot read; the message names the file and, where known, the line."""

    def __init__(self, path: object, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")
