"""LaTeX that abstracts keep, written as the plain text a reader sees.

arXiv abstracts are written in LaTeX, and about one in ten of those of 2020s machine learning
keeps some of it: ``\\textbf{image transformer}``, ``\\emph{Source HypOthesis Transfer}``,
``\\url{https://github.com/...}``, ``48.4\\%``, ``efficiently~(i.e. ...``, ``$K$-dimensional``.
Left in, the markup becomes part of names ("physics-informed neural network~", "\\textbf{S}ynthetic")
and of links (``https://github.com/x}``), and the extractor, which never saw any, reads it as words.

``plain_latex`` turns text markup into its text and a link into its text and address; drops
citations; writes ``\\%``, ``\\&``, ``\\_``, ``~``, ``\\ie``, ``\\eg`` as they print; and takes the
dollars off a formula whose commands it can all write plainly (``$K$``, ``$20\\%$``,
``$2.6\\times$``, ``$\\mathcal{O}(n)$``).  A formula holding anything else (``$e^{O(T)}
\\left(...\\right)$``) is left as written, and so is an unknown command outside one: it is
the author's own macro (``\\ours``), whose text no one can know.
"""

from __future__ import annotations

import re

_TEXT_COMMANDS = (
    "textbf textit texttt textsc textsf textrm textup textmd textsl emph underline uline "
    "mathrm mathbf mathit mathsf mathtt mathcal mathbb boldsymbol bm text mbox textsuperscript textsubscript"
).split()
# One level of nested braces inside the argument: "\textbf{\textit{x}}" is read from the inside out.
_ARGUMENT = r"\{((?:[^{}]|\{[^{}]*\})*)\}"
_TEXT_COMMAND = re.compile(rf"\\(?:{'|'.join(_TEXT_COMMANDS)})\s*{_ARGUMENT}")
_COLOUR = re.compile(rf"\\(?:textcolor|colorbox)\s*\{{[^{{}}]*\}}\s*{_ARGUMENT}|\\color\s*\{{[^{{}}]*\}}")
_LINK = re.compile(rf"\\href\s*\{{([^{{}}]*)\}}(?:\s*{_ARGUMENT})?|\\url\s*\{{([^{{}}]*)\}}")
_CITATION = re.compile(r"\s?\\(?:cite[tp]?|citeauthor|citeyear|ref|eqref|label|footnote)\s*(?:\[[^\]]*\])?\{[^{}]*\}")
_SWITCH_GROUP = re.compile(r"\{\\(?:em|bf|it|tt|sc|sf|rm|bfseries|itshape)\b\s*((?:\\(?:em|bf|it)\b\s*)*)([^{}]*)\}")
_EMPTY_GROUP = re.compile(r"(?<=[A-Za-z])\{\}")  # "\modelname{}"
_ESCAPES = {"\\%": "%", "\\&": "&", "\\_": "_", "\\#": "#", "\\$": "$", "\\{": "{", "\\}": "}"}
_ESCAPES |= {"\\,": " ", "\\;": " ", "\\:": " ", "\\!": ""}  # spacing
_ESCAPE = re.compile(r"\\[%&_#${},;:!]")
_ABBREVIATIONS = {"ie": "i.e.", "eg": "e.g.", "etal": "et al.", "vs": "vs.", "etc": "etc."}
_ABBREVIATION = re.compile(rf"\\({'|'.join(_ABBREVIATIONS)})\b\.?")
# A tie ("network~(PINN)", "Eq.~3") is a space; "~10%" and "(~5)" mean "about" and stay.
_TIE = re.compile(r"(?<=[\w.,;:)\]}])~(?=\S)")
_SYMBOLS = {
    "times": "\u00d7",
    "sim": "~",
    "approx": "\u2248",
    "pm": "\u00b1",
    "leq": "\u2264",
    "le": "\u2264",
    "geq": "\u2265",
    "ge": "\u2265",
    "cdot": "\u00b7",
    "to": "\u2192",
    "rightarrow": "\u2192",
    "uparrow": "\u2191",
    "downarrow": "\u2193",
    "infty": "\u221e",
    "alpha": "\u03b1",
    "beta": "\u03b2",
    "gamma": "\u03b3",
    "delta": "\u03b4",
    "epsilon": "\u03b5",
    "varepsilon": "\u03b5",
    "lambda": "\u03bb",
    "mu": "\u03bc",
    "pi": "\u03c0",
    "rho": "\u03c1",
    "sigma": "\u03c3",
    "tau": "\u03c4",
    "theta": "\u03b8",
    "phi": "\u03c6",
    "psi": "\u03c8",
    "Psi": "\u03a8",
    "omega": "\u03c9",
    "Delta": "\u0394",
    "circ": "\u00b0",
    "deg": "\u00b0",
}
_SYMBOL = re.compile(rf"\\({'|'.join(sorted(_SYMBOLS, key=len, reverse=True))})(?![A-Za-z])")
_FORMULA = re.compile(r"(?<!\\)\$([^$]{1,80})(?<!\\)\$")
_COMMAND = re.compile(r"\\[A-Za-z]+")


def plain_latex(text: str) -> str:
    """``text`` with its LaTeX text markup, links, citations, escapes, ties and plain formulas
    written as they print (see the module's docstring); text without a backslash, a dollar, a
    tie or a brace comes back as it is."""
    if not any(mark in text for mark in "\\$~{"):
        return text
    text = _LINK.sub(_plain_link, text)
    text = _CITATION.sub("", text)
    text = _COLOUR.sub(lambda match: match.group(1) or "", text)
    for _ in range(3):  # nested markup, from the inside out
        text, replaced = _TEXT_COMMAND.subn(lambda match: match.group(1), text)
        text, switched = _SWITCH_GROUP.subn(lambda match: match.group(2), text)
        if not replaced and not switched:
            break
    text = _TIE.sub(" ", text)
    text = _FORMULA.sub(_plain_formula, text)
    text = _ABBREVIATION.sub(lambda match: _ABBREVIATIONS[match.group(1)], text)
    text = _ESCAPE.sub(lambda match: _ESCAPES[match.group()], text)
    return _EMPTY_GROUP.sub("", text)


def _plain_link(match: re.Match) -> str:
    """``\\url{U}`` as U; ``\\href{U}{T}`` as "T (U)", or U where T is U."""
    if match.group(3) is not None:
        return match.group(3)
    address, shown = match.group(1), (match.group(2) or "").strip()
    return address if shown in ("", address) else f"{shown} ({address})"


def _plain_formula(match: re.Match) -> str:
    """A formula's text without its dollars where every command in it has a plain form, else as written."""
    inside = _SYMBOL.sub(lambda symbol: _SYMBOLS[symbol.group(1)], match.group(1))
    inside = _ESCAPE.sub(lambda escape: _ESCAPES[escape.group()], inside)
    if _COMMAND.search(inside) or "{" in inside or "}" in inside:
        return match.group(0)
    return inside.strip()
