"""Extraction on Ray: an ingest whose extraction runs on a local two-CPU Ray
cluster (``ingest.distributed.RayExtractor``) gives the very graph a local one gives."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import psutil
import pytest
from click.testing import CliRunner

from ingest.distributed import RayExtractionError, RayExtractor
from ingest.readers import read_paths
from tests.support import CORPUS, graph_dump
from ui.ingest_job import ingest_and_update_statistics

# Ray Data's own context warns about its own deprecated settings.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context")

# More than one group of 32, so that two workers share the work and may finish out of order.
PAPERS = 36


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """A local Ray cluster of 2 CPUs whose files stay under the test's tmp path;
    after the tests, no process of it may be left."""
    pytest.importorskip("ray.data", reason='Ray cannot be imported; install it with pip install "ray[data]"')
    import ray

    own = psutil.Process()
    before = set(own.children(recursive=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("RAY_ADDRESS", raising=False)  # a local cluster, never one named by the environment
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            object_store_memory=200 * 1024**2,
            logging_level=logging.WARNING,
            _temp_dir=str(tmp_path_factory.mktemp("ray")),
        )
    yield
    # Workers may outlive their raylet as orphans: note every process of the cluster while it runs.
    cluster = set(own.children(recursive=True)) - before
    ray.shutdown()
    _, alive = psutil.wait_procs(cluster, timeout=30)
    for process in alive:
        process.kill()
    assert not alive, f"Ray processes outlived ray.shutdown(): {[p.pid for p in alive]}"


@pytest.fixture
def listing(tmp_path):
    """The first papers of the sample corpus as one JSON-lines listing."""
    papers = read_paths([CORPUS]).papers[:PAPERS]
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n" for p in papers))
    return path


def test_an_ingest_extracted_on_ray_gives_the_graph_a_local_one_gives(store, local_ray, listing, one_torch_thread):
    local = ingest_and_update_statistics(store, [listing], use_cache=False)
    assert local.papers_extracted == PAPERS
    expected = graph_dump(store)
    store.wipe()

    extractor = RayExtractor()
    distributed = ingest_and_update_statistics(store, [listing], extractor=extractor, use_cache=False)
    assert extractor.workers == 2  # the cluster's CPUs
    assert distributed.papers_extracted == PAPERS
    assert distributed.concept_layer.mentions == local.concept_layer.mentions > 0
    assert graph_dump(store) == expected


def test_workers_with_another_extractor_version_fail_with_one_clear_line(local_ray):
    extractor = RayExtractor()
    extractor.version = "0.0.0+another"  # as a driver with another artifact than the workers'
    with pytest.raises(
        RayExtractionError, match=r"the Ray worker's extractor is version .*, the driver's 0\.0\.0\+another"
    ):
        extractor.extract_many(["We propose GraphNet, a graph neural network for node classification on Cora."])


def test_a_cluster_address_nothing_answers_at_fails_at_once():
    with pytest.raises(RayExtractionError, match="cannot reach the Ray cluster at ray://127.0.0.1:1"):
        RayExtractor(address="ray://127.0.0.1:1")


def test_ray_with_no_extract_is_refused():
    from ui.cli import cli

    result = CliRunner().invoke(cli, ["ingest", "--ray", "--no-extract", str(CORPUS)])
    assert result.exit_code == 2
    assert "--ray distributes extraction" in result.output


def test_the_command_line_loads_without_ray():
    check = "import sys, ui.cli; assert 'ray' not in sys.modules, 'ray imported'"
    subprocess.run([sys.executable, "-c", check], check=True, capture_output=True)
