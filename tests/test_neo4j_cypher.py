"""Neo4j 5 compatibility, proved without a Neo4j: every Cypher statement papergraph sends is checked
by Neo4j's own Cypher front end.

No Neo4j can run on these machines; the tests run against ArcadeDB, whose Cypher accepts things
Neo4j would refuse.  So the statements are recorded where they leave papergraph, at the ``neo4j``
driver (``Session.run``, ``Transaction.run``, ``ManagedTransaction.run``: what ``Store.read``,
``write``, ``write_rows``, ``read_pages``, ``write_together`` and the read-only console all end in),
while a user's workload runs against the test server: ingest and the concept layer, graph statistics,
the CLI's reports, search, the Paper and Concept pages' reads, subgraphs, exports, link prediction
(train, predict, similar, clear), and the app's pages, among them every example of the Cypher console.
Then one node process (``tests/cypher_lint/lint.mjs``) lints each distinct statement, with the
parameters it was sent with, using @neo4j-cypher/language-support: Neo4j's Cypher 5 parser, its
semantic analysis, and Neo4j 5's built-in functions and procedures.  The package is pinned in
``tests/cypher_lint/package.json`` and installed by ``scripts/test.sh``.

The statements that differ between the stores (``graph_schema.dialect``) are checked in both variants.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import neo4j
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from analysis import details, exports, graph_stats
from analysis.linkpred.similarity import similar_nodes
from analysis.linkpred.text_features import HashingEncoder
from analysis.search import fulltext_candidates, search
from analysis.subgraph import find_node, neighbourhood
from graph_schema import dialect
from graph_schema.progress import no_progress
from graph_schema.query_console import READ_PROCEDURES
from graph_schema.schema import CORPUS_STATE, FULLTEXT_INDEXES, SEARCH_TEXT, Label, Rel
from graph_schema.settings import ARCADEDB, NEO4J
from models.linkpred.runs import find_run
from tests.support import ARTIFACTS, CORPUS, REPO, GazetteerExtractor
from ui.cli import cli
from ui.uploads import ingest_listing_files

LINT_FOLDER = REPO / "tests" / "cypher_lint"
LINT_SCRIPT = LINT_FOLDER / "lint.mjs"
LINTER_PACKAGE = LINT_FOLDER / "node_modules" / "@neo4j-cypher" / "language-support"
REPORT = ARTIFACTS / "neo4j-cypher-lint.json"
APP = str(REPO / "ui" / "app.py")
PAGES = REPO / "ui" / "pages"
CYPHER_5 = "CYPHER 5"
# Warnings that fail a statement too: a deprecated feature (Neo4j drops it from Cypher 25), and a label
# or relationship type that graph_schema does not define (a misspelling silently matches nothing).
# The others are performance hints, e.g. on MATCH (a {id: row.a}), (b {id: row.b}) as a cartesian product.
FAILING_WARNINGS = ("deprecated", "is not present in the database")

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@dataclass(frozen=True)
class Statement:
    query: str
    parameters: tuple[str, ...]  # the names it is sent with, sorted


@dataclass(frozen=True)
class Linted:
    statement: Statement
    errors: list[str]  # "line:column message"
    warnings: list[str]


# -- the linter ---------------------------------------------------------------------------------


class Linter:
    """``linter(statements) -> [Linted]``: Neo4j 5's verdict on each statement, all in one node process.
    ``procedure_modes``: Neo4j 5's procedures and their modes (READ, WRITE, DBMS, ...), once it ran."""

    def __init__(self):
        self.procedure_modes: dict[str, str] = {}

    def __call__(self, statements: list[Statement]) -> list[Linted]:
        payload = {
            "version": CYPHER_5,
            "statements": [{"query": s.query, "parameters": list(s.parameters)} for s in statements],
            "labels": [*(label.value for label in Label), CORPUS_STATE],
            "relationshipTypes": [rel.value for rel in Rel],
        }
        done = subprocess.run(
            ["node", str(LINT_SCRIPT)], input=json.dumps(payload), capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"the linter failed ({done.returncode}):\n{done.stderr}"
        output = json.loads(done.stdout)
        self.procedure_modes = output["procedureModes"]
        return [_linted(statement, result) for statement, result in zip(statements, output["results"], strict=True)]


@pytest.fixture(scope="module")
def lint() -> Linter:
    if shutil.which("node") is None:
        pytest.skip("needs node (Node.js) to run Neo4j's Cypher linter; scripts/test.sh installs it")
    if not LINTER_PACKAGE.is_dir():
        pytest.skip(f"needs @neo4j-cypher/language-support in {LINT_FOLDER}; run `npm ci --prefix {LINT_FOLDER}`")
    return Linter()


def _linted(statement: Statement, result: dict) -> Linted:
    def said(severity: str) -> list[str]:
        return [f"{d['line']}:{d['column']} {d['message']}" for d in result["diagnostics"] if d["severity"] == severity]

    errors = said("error") + [w for w in said("warning") if any(sign in w for sign in FAILING_WARNINGS)]
    if result["statements"] != 1:  # the driver sends one statement; Neo4j refuses a second one
        errors.append(f"{result['statements']} statements in one query (a stray ';'?)")
    return Linted(statement, errors, [w for w in said("warning") if w not in errors])


def failures(linted: list[Linted], where: dict[Statement, str] | None = None) -> str:
    """Each failing statement with its errors, readable in a test failure."""
    parts = []
    for result in linted:
        if result.errors:
            origin = f" (sent by: {where[result.statement]})" if where else ""
            parts.append(
                f"--- parameters {list(result.statement.parameters)}{origin}\n{result.statement.query.strip()}\n"
                + "\n".join(f"  ERROR {error}" for error in result.errors)
            )
    return "\n".join(parts)


# What Neo4j 5 must refuse, and the part of the error the linter must say; None: valid.
REFUSED = {
    "MATCH (p:Paper) RETURN p.title AS title": None,
    "MATCH (p:Paper RETURN p": "Invalid input",  # syntax
    "MATCH (p:Paper) RETURN q": "Variable `q` not defined",  # semantics
    "MATCH (p:Paper) WHERE p.id = $id RETURN p": "Parameter $id is not defined",  # not sent with it
    "MATCH (p:Paper) RETURN p.a AS x, p.b AS x": "Multiple result columns with the same name",
    "CALL apoc.help('x')": "Procedure apoc.help is not present",  # a plugin, not Neo4j 5 itself
    "CALL db.index.fulltext.queryNodes($index, $text) YIELD node, rank RETURN node": "Unknown procedure output",
    "RETURN timestampz()": "Function timestampz is not present",
    "CREATE INDEX ON :Paper(title)": "Invalid create index syntax",  # Neo4j 4 syntax, gone in 5
    "MATCH (p:Paper) RETURN p; MATCH (q:Paper) RETURN q": "2 statements in one query",
    "MATCH (p:Paper) RETURN id(p)": "deprecated",  # elementId() in Neo4j 5
    "MATCH (p:Papers) RETURN p": "Label Papers is not present",  # not a label of graph_schema
}


def dialect_statements(kind: str) -> list[Statement]:
    """``graph_schema.dialect``'s Cypher for one kind of store: schema, then full-text queries."""
    statements = [Statement(query, ()) for query in dialect.schema_statements(kind)]
    for index in FULLTEXT_INDEXES:
        query, _ = dialect.fulltext_search_query(kind, index.label, index.prop)
        statements.append(Statement(query, ("index", "text")))
    return statements


@pytest.fixture(scope="module")
def verdicts(lint) -> dict[Statement, Linted]:
    """The linter's verdict on every statement that needs no store, from one node process."""
    refused = [Statement(query, ("index", "text") if "$index" in query else ()) for query in REFUSED]
    statements = [*refused, *dialect_statements(NEO4J), *dialect_statements(ARCADEDB)]
    return {result.statement: result for result in lint(list(dict.fromkeys(statements)))}


def test_the_linter_finds_what_neo4j_5_would_refuse(verdicts):
    for statement, result in verdicts.items():
        if statement.query in REFUSED:
            expected = REFUSED[statement.query]
            if expected is None:
                assert result.errors == [], result.errors
            else:
                assert any(expected in error for error in result.errors), (statement.query, result.errors)


def test_the_neo4j_dialect_is_valid_neo4j_5(verdicts):
    statements = dialect_statements(NEO4J)
    linted = [verdicts[s] for s in statements]
    assert not any(result.errors for result in linted), failures(linted)
    # Its full-text indexes are created in Cypher, and the queries name the indexes created.
    created = {s.query.split()[3] for s in statements if s.query.startswith("CREATE FULLTEXT INDEX")}
    assert {dialect.fulltext_index_name(NEO4J, i.label, i.prop) for i in FULLTEXT_INDEXES} == created


def test_the_arcadedb_dialect_is_valid_neo4j_5_where_it_is_cypher(verdicts):
    """ArcadeDB's variant is the same Cypher less the full-text index creation.  What no Cypher linter
    can check is ArcadeDB's own part: the ArcadeDB SQL that creates those indexes
    (``dialect.arcadedb_server_sql``) and the index name ``Label[prop]`` its procedure takes.  The test
    server runs that SQL at every start, and the workload below queries every index by that name."""
    statements = dialect_statements(ARCADEDB)
    linted = [verdicts[s] for s in statements]
    assert not any(result.errors for result in linted), failures(linted)
    assert not any("FULLTEXT" in s.query for s in statements)
    assert {s.query for s in statements} < {s.query for s in dialect_statements(NEO4J)}
    assert dialect.fulltext_index_name(ARCADEDB, Label.PAPER, SEARCH_TEXT) == f"{Label.PAPER}[{SEARCH_TEXT}]"


def test_the_consoles_procedures_are_read_only_in_neo4j_5(lint, verdicts):
    modes = {name.lower(): mode for name, mode in lint.procedure_modes.items()}
    assert len(modes) > 50  # the catalogue is there
    for procedure in sorted(READ_PROCEDURES):
        assert modes.get(procedure) in ("READ", "DBMS"), (procedure, modes.get(procedure))


# -- recording what papergraph sends ------------------------------------------------------------


class DriverRecorder:
    """Every statement the ``neo4j`` driver runs while installed, with its parameter names
    and the workload step that first sent it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.sent: dict[Statement, str] = {}
        self.current = "setup"
        for driver_class in (neo4j.Session, neo4j.Transaction, neo4j.ManagedTransaction):
            monkeypatch.setattr(driver_class, "run", self._recording(driver_class.run))

    def _recording(self, run):
        def recording_run(runner, query, parameters=None, **more_parameters):
            text = query.text if isinstance(query, neo4j.Query) else query
            names = tuple(sorted({*(parameters or {}), *more_parameters}))
            self.sent.setdefault(Statement(text, names), self.current)
            return run(runner, query, parameters, **more_parameters)

        return recording_run

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.current = name
        yield
        self.current = "setup"


PAPER_TITLE = "Retrieval-augmented generation for question answering"
# Words the stand-in extractor knows: a method no paper of the corpus names (so that changing the
# abstract deletes a concept and its relations), a task, a dataset, a metric, a comparison and claims.
FIRST_ABSTRACT = (
    "We propose retrieval-augmented generation (RAG) for question answering. "
    "On MMLU, RAG reaches 91.4 accuracy and outperforms large language models by 3.2%."
)
CHANGED_ABSTRACT = "We study question answering with transformers."


def listing(path: Path, abstract: str) -> Path:
    path.write_text(json.dumps({"title": PAPER_TITLE, "abstract": abstract}) + "\n")
    return path


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, f"papergraph {' '.join(args)}:\n{result.output}{result.exception!r}"
    return result.output


def open_page(page: Path, **query_params: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.switch_page(str(page.relative_to(REPO / "ui")))
    app.query_params.update(query_params)
    app.run()
    assert not app.exception and not app.error, (page.name, [e.value for e in (*app.exception, *app.error)])
    return app


def run_console_examples() -> int:
    """Choose each example in the console and run it, as a person would; returns how many ran."""
    app = open_page(PAGES / "console.py")
    examples = [name for name in app.selectbox(key="example").options if not name.startswith("(")]
    for name in examples:
        app.selectbox(key="example").set_value(name).run()
        app.button[0].click().run()
        assert not app.exception and not app.error, (name, [e.value for e in (*app.exception, *app.error)])
        assert app.success and "row(s)" in app.success[0].value, name
    return len(examples)


def run_workload(store, tmp_path: Path, recorder: DriverRecorder) -> None:
    with recorder.step("ingest (as the CLI and the Data page run it), graph statistics"):
        ingest_listing_files(
            store, [CORPUS, listing(tmp_path / "first.jsonl", FIRST_ABSTRACT)], no_progress, GazetteerExtractor()
        )
        # A changed abstract: extracted again, and its concept, relations and claims replaced or deleted.
        changed = listing(tmp_path / "changed.jsonl", CHANGED_ABSTRACT)
        assert ingest_listing_files(store, [changed], no_progress, GazetteerExtractor()).papers_updated == 1
    with recorder.step("CLI: stats, results, concept-report, query"):
        invoke("stats")
        invoke("results", "--format", "json")
        invoke("results", "--concept", "dataset:mmlu", "--format", "json")
        invoke("concept-report", "--top", "3")
        invoke("query", f"MATCH (p:{Label.PAPER}) WHERE p.title CONTAINS $word RETURN p.title", "--param", "word=Graph")
    with recorder.step("search"):
        # Each full-text index answers under its dialect name (search would fall back to CONTAINS).
        for index in FULLTEXT_INDEXES:
            query, name = dialect.fulltext_search_query(store.kind, index.label, index.prop)
            found = store.read(query, index=name, text='"question answering"')
            assert found or index.label not in (Label.PAPER, Label.TASK), name
        hits = search(store, "question answering") + search(store, "contnual lerning")  # a typo: fuzzy terms
        # A label without a full-text index: the CONTAINS scan that stands in for one.
        fulltext_candidates(store, Label.SOURCE, "corpus")
    paper = next(hit for hit in hits if hit.label == Label.PAPER)
    concept = next(hit for hit in hits if hit.label == Label.TASK)
    with recorder.step("Paper and Concept details"):
        assert details.paper_details(store, paper.id) is not None
        details.similar_papers(store, paper.id)
        found = details.concept_details(store, concept.id)
        assert found is not None
        details.concept_papers(store, found)
        details.related_concepts(store, found)
        details.concept_claims(store, found)
        graph_stats.nodes_with_statistics(store)
        graph_stats.statistics_state(store)
    with recorder.step("subgraph and exports"):
        centre = find_node(store, concept.id)
        assert centre is not None
        subgraph = neighbourhood(store, centre, hops=2, node_limit=40, min_confidence=0.5)
        exports.subgraph_with_properties(store, subgraph)
        exports.whole_graph(store)
    with recorder.step("link prediction: train, predict, similar"):
        invoke("linkpred", "train", "--text-features", "hashing", "--epochs", "2", "--negatives", "5", "--json")
        run = find_run()
        invoke("linkpred", "predict", "--top", "1")
        details.predicted_links(store, found)
        details.top_predicted_links(store)
        similar_nodes(store, concept.name, top=3, run=run, encoder=HashingEncoder())
        similar_nodes(store, concept.name, top=3, run=None, encoder=HashingEncoder())
    with recorder.step("the app's pages"):
        for page in sorted(PAGES.glob("*.py")):
            open_page(page)
        open_page(PAGES / "paper.py", id=paper.id)
        open_page(PAGES / "concept.py", id=concept.id)
        open_page(PAGES / "explore.py", label=concept.label, id=concept.id)
    with recorder.step("the Cypher console's examples"):
        assert run_console_examples() >= 5
    with recorder.step("link prediction: clear"):
        invoke("linkpred", "clear", "--run", run.run_id)
        invoke("linkpred", "predict", "--top", "1")
        invoke("linkpred", "clear", "--all")


def write_report(linted: list[Linted], sent: dict[Statement, str]) -> None:
    """Every linted statement with what sent it and what the linter said, for a person to read."""
    ARTIFACTS.mkdir(exist_ok=True)
    rows = [
        {
            "sent_by": sent[r.statement],
            "query": r.statement.query,
            "parameters": list(r.statement.parameters),
            "errors": r.errors,
            "warnings": r.warnings,
        }
        for r in linted
    ]
    REPORT.write_text(json.dumps(rows, indent=1))


def test_every_statement_papergraph_sends_is_valid_neo4j_5(lint, store, tmp_path, monkeypatch):
    recorder = DriverRecorder(monkeypatch)
    run_workload(store, tmp_path, recorder)
    monkeypatch.undo()
    sent = recorder.sent
    linted = lint(list(sent))
    write_report(linted, sent)
    queries = {s.query for s in sent}
    print(f"\nNeo4j 5 linted {len(sent)} distinct statements ({len(queries)} texts) papergraph sent; see {REPORT}")
    assert len(queries) >= 100, f"the workload sent only {len(queries)} distinct statements"
    assert not any(r.errors for r in linted), failures(linted, sent)
