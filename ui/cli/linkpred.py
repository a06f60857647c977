"""``papergraph linkpred`` (evaluate, evaluate-temporal, train, predict, links, refresh, clear, runs) and
``papergraph similar``.

``ui.cli`` registers them in the main group.  Torch, PyG and scikit-learn
are imported inside the commands, so that ``papergraph --help`` does not pay for them.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from analysis.linkpred import DEFAULT_MAX_TRAINING_PAPERS, DEFAULT_THRESHOLD, DEFAULT_TOP_K
from analysis.linkpred.text_features import MINILM, TEXT_FEATURES
from models.linkpred import DEFAULT_MAX_EPOCHS, DEFAULT_NEGATIVES
from models.runtime import use_torch_threads
from ui.cli.common import RichProgress, open_store, threads_option

MIN_EDGES = 20
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
EPOCHS_HELP = "Most training epochs per GNN; early stopping on validation AUC may end sooner."
DEFAULT_SIMILAR = 10
LINKS_SHOWN = 10
TOP_HELP = "The most new links per node and target type."
THRESHOLD_HELP = (
    "The least calibrated score (0-1) a written link has: among held-out validation links, each against 50 "
    "non-links of its source (half nearby), that share of pairs scored like it were links."
)


def training_options(command):
    """--seed, --epochs and --negatives: how every model and baseline is trained and scored."""
    count = partial(click.option, show_default=True, type=click.IntRange(min=1))
    options = (
        click.option("--seed", default=0, show_default=True, help="Seed for the split, negatives and training."),
        count("--epochs", default=DEFAULT_MAX_EPOCHS, help=EPOCHS_HELP),
        count(
            "--negatives", "num_negatives", default=DEFAULT_NEGATIVES, help="Negatives per test link in each regime."
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def text_features_option(command):
    return click.option(
        "--text-features",
        type=click.Choice(TEXT_FEATURES),
        default=MINILM,
        show_default=True,
        help="Node features from text: MiniLM embeddings (cached), hashed word counts, or none.",
    )(command)


def selection_options(command):
    """--top K (per node and target type) and --threshold T: how many predicted links are written."""
    command = click.option(
        "--threshold", default=DEFAULT_THRESHOLD, show_default=True, type=click.FloatRange(0, 1), help=THRESHOLD_HELP
    )(command)
    return click.option("--top", default=DEFAULT_TOP_K, show_default=True, type=click.IntRange(min=1), help=TOP_HELP)(
        command
    )


def top_and_run_options(top_default: int, top_help: str, run_use: str):
    """--top N and --run RUN_ID (default: the latest run)."""

    def add(command):
        command = click.option("--run", "run_id", help=f"The run {run_use} (default: the latest).")(command)
        return click.option("--top", default=top_default, show_default=True, type=click.IntRange(min=1), help=top_help)(
            command
        )

    return add


@click.group("linkpred")
def linkpred() -> None:
    """Link prediction: which links are missing?"""


@linkpred.command("evaluate")
@click.option(
    "--edges",
    "edges_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Edge list: one 'SRC DST' pair of node ids per line, separated by whitespace or a comma.",
)
@click.option(
    "--features",
    "features_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Node features: 'ID X1 X2 ... Xd' per line, whitespace or commas, the same d on every line.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON instead of tables.")
@training_options
@threads_option
def evaluate(
    edges_path: Path,
    features_path: Path | None,
    as_json: bool,
    seed: int,
    epochs: int,
    num_negatives: int,
    threads: int,
) -> None:
    """Hold out links of an undirected graph and score every model and baseline on them.

    The edges are split 85/5/10 into message-passing, validation and test
    links.  GNNs (GraphSAGE with a dot or an NCN/heuristic decoder), the
    heuristics (Common Neighbours, Adamic-Adar, Resource Allocation,
    Preferential Attachment), DeepWalk and, with --features, feature cosine
    are all scored on the same test links against two sets of negatives:
    random nodes, and hard ones within two or three hops of the link's
    first node.

    In both files blank lines and lines starting with # are ignored.
    Repeated edges and self-loops are dropped.  Nodes without a features
    line get zeros; feature lines for nodes not in the edge list are ignored.
    """
    import torch

    from models.linkpred.comparison import evaluate_link_predictors
    from models.linkpred.files import read_edge_list, read_features
    from models.linkpred.split import canonical_pairs, split_edges

    edges, node_ids = read_edge_list(edges_path)
    features = None
    if features_path is not None:
        features, missing = read_features(features_path, node_ids)
        if missing:
            click.echo(f"{features_path}: no features for {missing} of {len(node_ids)} nodes; using zeros", err=True)
    if len(canonical_pairs(edges, undirected=True)) < MIN_EDGES:
        raise click.ClickException(f"{edges_path}: need at least {MIN_EDGES} distinct edges to hold some out")
    split = split_edges(
        edges, len(node_ids), features=None if features is None else torch.as_tensor(features), seed=seed
    )
    use_torch_threads(threads)
    report = evaluate_link_predictors(
        split, seed=seed, max_epochs=epochs, num_negatives=num_negatives, progress=RichProgress()
    )
    if as_json:
        click.echo(json.dumps({"results": [row.as_json() for row in report.rows]}))
    else:
        console = Console()
        _print_result_tables(console, report.rows, f"Test links against {num_negatives} {{regime}} negatives each")
        _print_training(console, report)


@linkpred.command("evaluate-temporal")
@click.option(
    "--until", required=True, type=int, help="The last year of the past: train on the papers dated up to its end."
)
@click.option(
    "--horizon",
    type=int,
    help="The last year of the future whose new links are ranked (default: --until plus 2).",
)
@selection_options
@training_options
@text_features_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON instead of tables.")
@threads_option
def evaluate_temporal(
    until: int,
    horizon: int | None,
    top: int,
    threshold: float,
    seed: int,
    epochs: int,
    num_negatives: int,
    text_features: str,
    as_json: bool,
    threads: int,
) -> None:
    """Check link prediction against the future: learn from the papers up to --until, rank the links written later.

    The past graph holds the papers dated up to the end of --until, what they mention and the
    concept relations they wrote.  The future links are methods used for tasks and evaluated
    on datasets that a paper of the following years (to --horizon) wrote first, between
    concepts the past already had and no past fact joined.  A run is trained on the past as
    `papergraph linkpred train` trains one; it and every baseline (Adamic-Adar among them)
    rank each future link against random and hard negatives (Hits@K, MRR).  Then it predicts
    links from the past as `papergraph linkpred predict` would, and we count how many were
    written later, next to Adamic-Adar's.  The result is kept in
    $PAPERGRAPH_HOME/linkpred-temporal.json for the app's Link prediction page.
    """
    from analysis.linkpred.temporal import evaluate_temporal as evaluate
    from analysis.linkpred.temporal import save_result, temporal_sentences

    use_torch_threads(threads)
    with open_store() as store:
        result = evaluate(
            store,
            until=until,
            horizon=horizon,
            text_features=text_features,
            max_epochs=epochs,
            seed=seed,
            num_negatives=num_negatives,
            top_k=top,
            threshold=threshold,
            progress=RichProgress(),
        )
    save_result(result)
    if as_json:
        click.echo(json.dumps(result))
        return
    from models.linkpred.comparison import ResultRow

    console = Console()
    future = ", ".join(f"{count:,} {name}" for name, count in result["future_links"].items())
    console.print(
        f"{result['papers']['past']:,} papers up to {until}, {result['papers']['future']:,} in "
        f"{until + 1}-{result['horizon']}; future links ranked: {future}"
    )
    rows = [
        ResultRow(row["model"], row["kind"], row["negatives"], ("*", row["edge_type"], "*"), row)
        for row in result["results"]
    ]
    _print_result_tables(
        console,
        rows,
        f"Links first written in {until + 1}-{result['horizon']}, against {num_negatives} {{regime}} negatives",
    )
    for sentence in temporal_sentences(result):
        console.print(sentence)


@linkpred.command("train")
@training_options
@text_features_option
@click.option(
    "--max-papers",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_TRAINING_PAPERS,
    show_default=True,
    help="Train on this many papers drawn at random (by --seed) with their concepts, so that time and memory "
    "stay bounded on a large corpus; predictions still cover every paper. 0: every paper. "
    "Needs text features: without them the model keeps one vector per node.",
)
@click.option("--by-type", is_flag=True, help="Also print one table per target edge type.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's metrics as JSON instead of tables.")
@threads_option
def train(
    epochs: int,
    seed: int,
    num_negatives: int,
    text_features: str,
    max_papers: int,
    by_type: bool,
    as_json: bool,
    threads: int,
) -> None:
    """Learn to predict links from the store's graph, and save the model as a run.

    Targets: papers to the methods, tasks and datasets they mention, methods
    to the tasks they are USED_FOR and the datasets they are EVALUATED_ON
    (each where the graph has enough of them).  Links are held out 85/5/10;
    two GNNs and the baselines (Common Neighbours, Adamic-Adar, Resource
    Allocation, Preferential Attachment, text cosine, DeepWalk) are scored on
    the same test links against random and hard negatives.  The GNN with the
    best validation AUC is calibrated on the validation links (its scores
    become probabilities, see `predict --help`) and saved under
    $PAPERGRAPH_HOME/runs/<run_id>/.
    """
    from analysis.linkpred.store_graph import edge_type_name
    from analysis.linkpred.training import train_run
    from models.linkpred.comparison import mean_over_edge_types

    use_torch_threads(threads)
    with open_store() as store:
        result = train_run(
            store,
            text_features=text_features,
            max_epochs=epochs,
            seed=seed,
            num_negatives=num_negatives,
            max_papers=max_papers or None,
            progress=RichProgress(),
        )
    run = result.run
    if as_json:
        click.echo(json.dumps({"run_id": run.run_id, "directory": str(run.directory), **run.metrics}))
        return
    console = Console()
    _print_result_tables(
        console,
        mean_over_edge_types(result.report.rows),
        f"Test links against {num_negatives} {{regime}} negatives each, mean over the target edge types",
    )
    if by_type:
        for edge_type in dict.fromkeys(row.edge_type for row in result.report.rows):
            _print_result_tables(
                console,
                [row for row in result.report.rows if row.edge_type == edge_type],
                f"{edge_type_name(edge_type)}: {{regime}} negatives",
            )
    _print_training(console, result.report)
    calibration = run.metrics["calibration"]
    console.print(
        "calibrated on the validation links; test Brier score "
        + ", ".join(
            f"{name} {values['test_brier']:.3f}" for name, values in calibration.items() if "test_brier" in values
        )
    )
    console.print(f"run {run.run_id}: {run.model_name}, saved in {run.directory}")


@linkpred.command("predict")
@selection_options
@click.option("--run", "run_id", help="The run whose model predicts (default: the latest).")
@click.option("--show", default=LINKS_SHOWN, show_default=True, type=click.IntRange(min=0), help="Best links to print.")
@threads_option
def predict(top: int, threshold: float, run_id: str | None, show: int, threads: int) -> None:
    """Write a few good new links per node as PREDICTED_LINK relationships, with explanations.

    For every target type (e.g. Paper to Method) the candidates are pairs of nodes at most
    three facts apart that no fact joins yet, neither of them a concept marked generic, and not
    two nodes of one name.  The model scores them; a calibrated score of at least --threshold
    is needed, and each node keeps at most --top links of the type, best first.  Each link
    carries score (calibrated), logit, rank, model, run_id, created, target_type, explanation
    (JSON) and explanation_text (the shared neighbours and paths, in words).  Re-running for
    the same run replaces that run's links; other runs' links and extracted facts are never
    touched.  Prints how many links were written and why not more, then the best ones.
    """
    from analysis.linkpred.predictions import predict_links, read_predicted_links
    from models.linkpred.runs import find_run

    run = find_run(run_id)
    use_torch_threads(threads)
    with open_store() as store:
        summary = predict_links(store, run, top, threshold, progress=RichProgress())
        best = read_predicted_links(store, limit=show, run_id=run.run_id) if show else []
    for target_type, count in summary.written.items():
        click.echo(f"{target_type}: {count:,} predicted links")
    click.echo(
        f"run {summary.run_id} ({summary.model}): {summary.why()}; removed {summary.removed:,} stale ones; "
        f"{summary.seconds:.1f} s"
    )
    if best:
        _print_links(Console(), best, f"The {len(best)} best predicted links (score: calibrated, 0-1)")


@linkpred.command("links")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Links to list.")
@click.option("--min-score", default=0.0, show_default=True, type=click.FloatRange(0, 1), help="The least score.")
@click.option("--type", "target_type", help="Only this target type, e.g. Method-USED_FOR->Task.")
@click.option("--run", "run_id", help="The run whose links to list (default: the one that wrote links last).")
@click.option("--json", "as_json", is_flag=True, help="Print the links as JSON.")
def links(limit: int, min_score: float, target_type: str | None, run_id: str | None, as_json: bool) -> None:
    """List the stored predicted links of one run, best first, with their scores and why, in words."""
    from analysis.linkpred.predictions import read_predicted_links

    with open_store() as store:
        found = read_predicted_links(store, limit=limit, target_type=target_type, run_id=run_id, min_score=min_score)
    if as_json:
        click.echo(json.dumps(found, indent=2))
    elif not found:
        click.echo("no predicted links; `papergraph linkpred predict` writes them")
    else:
        _print_links(Console(), found, f"{len(found)} predicted links, best first (score: calibrated, 0-1)")


def _print_links(console: Console, found: list[dict], title: str) -> None:
    table = Table(title=title, show_lines=True)
    table.add_column("score", justify="right")
    table.add_column("link", overflow="fold")
    table.add_column("why", overflow="fold")
    for link in found:
        table.add_row(
            f"{link['score']:.3f}",
            f"{link['source']} ({link['source_label']}) → {link['target']} ({link['target_label']})",
            link["explanation"] or "",
        )
    console.print(table)


@linkpred.command("refresh")
@selection_options
@training_options
@text_features_option
@threads_option
def refresh(
    top: int, threshold: float, seed: int, epochs: int, num_negatives: int, text_features: str, threads: int
) -> None:
    """Bring predicted links up to date: train and predict only if the graph has changed.

    Compares a fingerprint of the store's graph (its papers and concepts, and
    how many facts of each type join them) with the one the latest run learned
    from.  If they differ, or that run was trained with other settings, this
    trains a run (as `papergraph linkpred train`) and writes its few best new
    links (as `papergraph linkpred predict`: at most --top per node and type,
    scored at least --threshold); links the previous refresh wrote for an
    older run are then deleted.  If they match and the
    links are written, it says so and exits.

    Its progress is kept in $PAPERGRAPH_HOME/linkpred-refresh.json, which the
    app's Link prediction page shows.  SIGTERM, SIGINT or SIGHUP stop it, and
    the status file says so.
    """
    from analysis.linkpred.refresh import TRAINED, refresh_predictions, summarise

    use_torch_threads(threads)
    with _stopped_by_signals(), open_store() as store, RichProgress() as progress:
        result = refresh_predictions(
            store,
            top_k=top,
            threshold=threshold,
            text_features=text_features,
            max_epochs=epochs,
            seed=seed,
            num_negatives=num_negatives,
            progress=progress,
        )
    click.echo(f"link prediction {summarise(result)}; {result.seconds:.1f} s")
    if result.outcome == TRAINED:
        run = result.run
        auc = {row["negatives"]: row["auc"] for row in run.metrics["summary"] if row["model"] == run.model_name}
        click.echo(
            f"{run.model_name}: test AUC "
            + ", ".join(f"{value:.3f} ({regime} negatives)" for regime, value in auc.items())
        )


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM, SIGINT and SIGHUP stop the job as Ctrl-C does: it records that it was stopped, and
    click exits with "Aborted!".  The first is enough: a second (Ctrl-C reaches the job, then
    `papergraph ui` passes a SIGTERM on) would cut that record short, so it is ignored."""

    def stop(signum, frame) -> None:
        for ignored in STOP_SIGNALS:
            signal.signal(ignored, signal.SIG_IGN)
        raise KeyboardInterrupt

    before = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


@linkpred.command("clear")
@click.option("--run", "run_id", help="Delete this run's predicted links.")
@click.option("--all", "clear_all", is_flag=True, help="Delete every predicted link.")
def clear(run_id: str | None, clear_all: bool) -> None:
    """Delete predicted links (PREDICTED_LINK only; extracted facts stay)."""
    if bool(run_id) == clear_all:
        raise click.UsageError("give either --run RUN_ID or --all")
    from analysis.linkpred.predictions import clear_predictions

    with open_store() as store:
        deleted = clear_predictions(store, None if clear_all else run_id)
    click.echo(f"deleted {deleted:,} predicted links" + ("" if clear_all else f" of run {run_id}"))


@linkpred.command("runs")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
def runs(as_json: bool) -> None:
    """List trained runs, oldest first, with their chosen model's test metrics."""
    from models.linkpred.runs import list_runs

    found = list_runs()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "run_id": run.run_id,
                        "directory": str(run.directory),
                        "config": run.config,
                        "metrics": run.metrics,
                    }
                    for run in found
                ],
                indent=2,
            )
        )
        return
    if not found:
        click.echo("no runs yet; train one with `papergraph linkpred train`")
        return
    table = Table(title="Runs, with the chosen GNN's test metrics (mean over target types)")
    table.add_column("run", no_wrap=True)
    table.add_column("model", overflow="fold")
    for column in ("text", "AUC random", "MRR random", "AUC hard", "MRR hard"):
        table.add_column(column, justify="left" if column == "text" else "right")
    for run in found:
        chosen = {row["negatives"]: row for row in run.metrics["summary"] if row["model"] == run.model_name}
        table.add_row(
            run.run_id,
            run.model_name,
            run.config["text_features"],
            *(
                f"{chosen[regime][metric]:.3f}" if regime in chosen else "-"
                for regime in ("random", "hard")
                for metric in ("auc", "mrr")
            ),
        )
    Console().print(table)


@click.command("similar")
@click.argument("name")
@top_and_run_options(DEFAULT_SIMILAR, "Papers and concepts to list, each.", "whose GNN embeddings to use")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@threads_option
def similar(name: str, top: int, run_id: str | None, as_json: bool, threads: int) -> None:
    """Papers and concepts nearest to the one named NAME, by text and by learned structure.

    NAME is matched exactly (title or concept name, any case), else fuzzily.
    Text nearness is MiniLM cosine; structural nearness is cosine of the
    latest link-prediction run's GNN node embeddings, if a run exists.
    """
    from analysis.linkpred.similarity import similar_nodes
    from models.linkpred.runs import RunNotFound, find_run

    try:
        run = find_run(run_id)
    except RunNotFound:
        if run_id:
            raise
        run = None  # no run yet: similarity by text only
    use_torch_threads(threads)
    with open_store() as store:
        result = similar_nodes(store, name, top=top, run=run)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
        return
    console = Console()
    query = result.query
    console.print(f"{query.label} [bold]{query.name}[/bold] ({result.match} match)")
    console.print(_nearest_table("Nearest by text (MiniLM)", result.by_text))
    if result.by_structure is None:
        console.print(f"Nearest by structure: none, {result.structure_source}")
    else:
        console.print(_nearest_table(f"Nearest by structure, {result.structure_source}", result.by_structure))


def _nearest_table(title: str, nearest) -> Table:
    table = Table("label", "name", "cosine", title=title)
    for node in [*nearest.papers, *nearest.concepts]:
        table.add_row(node.label, node.name, f"{node.similarity:.3f}")
    return table


def _print_result_tables(console: Console, rows, title: str) -> None:
    """One table per negative regime; ``title`` has a ``{regime}`` slot."""
    from models.linkpred.evaluator import METRICS
    from models.linkpred.negatives import REGIMES

    for regime in REGIMES:
        table = Table(title=title.format(regime=regime))
        table.add_column("Model")
        table.add_column("Kind")
        for metric in METRICS:
            table.add_column(metric.upper() if "@" not in metric else metric.capitalize(), justify="right")
        for row in rows:
            if row.negatives == regime:
                table.add_row(row.model, row.kind, *(f"{row.metrics[metric]:.3f}" for metric in METRICS))
        console.print(table)


def _print_training(console: Console, report) -> None:
    for name, history in report.training.items():
        console.print(
            f"{name}: best validation AUC {history.best_val_auc:.3f} at epoch {history.best_epoch + 1} "
            f"of {history.epochs_run}, {history.seconds:.1f} s"
        )
    for note in report.notes:
        console.print(note)
