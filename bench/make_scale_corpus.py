"""A synthetic corpus of N abstracts in the arXiv metadata format, for scale runs.

    .venv/bin/python bench/make_scale_corpus.py --n 10000 --out /tmp/scale-10k.jsonl --seed 0

Each abstract is 5-9 sentences: real sentences of the sample corpus (``data/corpus``,
read through papergraph's reader and sentence splitter) around template sentences
that name methods ("VornetFormer-3"), acronym definitions ("Sparse Gated Mixer
(SGM)") and datasets ("KQRBench-7").  Those names come from a Pitman-Yor process
(discount 0.6): a mention is a new name with probability (θ + d·K)/(θ + n) and
otherwise an earlier one in proportion to its use, so, as in a real corpus, the
vocabulary keeps growing with N (as about N^0.6) and name frequencies follow a
power law.  Dates spread over 2018-2025; categories come from a small set (cs.LG,
cs.CV, cs.CL, stat.ML, cs.AI, ...).  The same seed gives the same file, byte for byte.

It prints one line of JSON with the counts of distinct names it made, and of
distinct capitalised tokens (words starting with a capital letter) in the titles
and abstracts.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "corpus"

DISCOUNT = 0.6  # Pitman-Yor discount: the vocabulary grows as about n^DISCOUNT
CONCENTRATION = 10.0
FIRST_DAY = datetime(2018, 1, 1)
DAYS = (datetime(2025, 12, 31) - FIRST_DAY).days

CATEGORIES = {"cs.LG": 35, "cs.CV": 20, "cs.CL": 20, "cs.AI": 10, "stat.ML": 8, "cs.RO": 3, "cs.NE": 2, "eess.IV": 2}
TASKS = (
    "image classification", "machine translation", "question answering", "object detection",
    "semantic segmentation", "speech recognition", "text summarization", "link prediction",
    "molecular property prediction", "time-series forecasting", "code generation", "visual question answering",
    "named entity recognition", "reinforcement learning", "image generation", "recommendation",
)  # fmt: skip
METRICS = ("accuracy", "F1", "BLEU", "mAP", "top-1 accuracy", "AUC", "exact match", "Recall@10", "FID", "ROUGE-L")
SYLLABLES = (
    "Aer Bel Cor Dra El Fen Gal Hel Ir Jun Kor Lum Mir Nov Or Pax Quil Ros Syl Tor Ul Ver Wex Xan Yor Zen "
    "Ark Bri Cal Dex Eon Fyr Gor Hax Ion Jex Kal Lyr Mon Nex Oph Pyr Rin Sol Tav Umb Vex Wyn Zor"
).split()
METHOD_SUFFIXES = (
    "Net",
    "Former",
    "GAN",
    "BERT",
    "Mixer",
    "Flow",
    "Diff",
    "LM",
    "GNN",
    "Seg",
    "Det",
    "VAE",
    "ViT",
    "RL",
)
VERSIONS = ("", "", "", "-2", "-3", "-XL", "-Lite", "-v2", "++", "-L")
ADJECTIVES = (
    "Sparse Dense Gated Adaptive Hierarchical Recurrent Contrastive Latent Residual Stochastic Causal Dynamic "
    "Federated Equivariant Implicit Modular Progressive Robust Scalable Structured Temporal Unified Variational "
    "Weighted Quantized Cross-modal Multi-scale Self-supervised Graph-based Low-rank"
).split()
MODIFIERS = (
    "Attention Routing Memory Token Kernel Spectral Prompt Feature Expert Diffusion Message Policy Reward "
    "Retrieval Position Query Patch Frequency Neighbour Codebook Contrast Denoising Alignment Fusion"
).split()
NOUNS = (
    "Mixer Network Transformer Encoder Decoder Estimator Regulariser Adapter Distillation Pooling Module "
    "Sampler Objective Optimizer Aggregator Projector Tokenizer Critic Planner Scheduler"
).split()
DATASET_SUFFIXES = ("Bench", "QA", "Set", "Eval", "Corpus", "-1K", "-Instruct", "Vision", "Dial", "Code")
FIRST_INITIALS = "A B C D E F G H J K L M N P R S T V W Y Z".split()
SURNAMES = (
    "Smith Chen Wang Li Zhang Kumar Garcia Müller Rossi Kim Park Nguyen Silva Novak Ivanova Haddad Okafor "
    "Tanaka Sato Cohen Dubois Jensen Andersson Kowalski Petrov Moreau Costa Rahman Ali Singh Lopez Yilmaz "
    "Nakamura Fischer Schmidt Bauer Weber Laurent Martin Bernard Hughes Clarke Walsh Byrne Murphy Lin Zhou"
).split()

METHOD_INTRO = (
    "We propose {m}, a {long} ({acr}) approach to {task}.",
    "In this paper, we introduce {m}, which couples a {long} ({acr}) with {m2}.",
    "We present {m}, a simple model for {task} built on a {long} ({acr}).",
)
METHOD_REUSE = (
    "Our approach builds on {m} and extends its {acr} to {task}.",
    "We revisit {m} for {task} and show where its {long} ({acr}) falls short.",
    "Building on {m} and {m2}, we study {task} with a {long} ({acr}).",
)
DATASET_NEW = (
    "We also release {d}, a new benchmark for {task} with {k:,} annotated examples.",
    "To evaluate this, we collect {d}, a dataset of {k:,} examples for {task}.",
)
RESULTS = (
    "{m} achieves {x:.1f}% {metric} on {d}, outperforming {m2} by {y:.1f} points.",
    "On {d}, our {acr} improves {metric} by {y:.1f} points over {m2}.",
    "Experiments on {d} and {d2} show that {m} matches {m2} with {z}x fewer parameters.",
)
TITLES = (
    "{m}: {long} for {Task}",
    "{long} for {Task}",
    "{Task} with {m} and {acr}",
    "Towards {Task}: A {long} Approach",
    "{m}: Rethinking {Task} on {d}",
)

CAPITALISED = re.compile(r"\b[A-Z][\w+-]*")


class NameProcess:
    """A Pitman-Yor process over names that ``make`` invents: ``draw`` gives an earlier
    name in proportion to its use (less the discount), or a new one."""

    def __init__(self, rng: random.Random, make, taken: set[str]):
        self.rng, self.make, self.taken = rng, make, taken
        self.names: list[str] = []
        self.uses: list[int] = []
        self.occurrences: list[int] = []  # an index per use: picking one uniformly is picking by use

    def draw(self) -> tuple[str, bool]:
        n, k = len(self.occurrences), len(self.names)
        if self.rng.random() * (CONCENTRATION + n) < CONCENTRATION + DISCOUNT * k:
            index = self._new()
        else:
            while True:  # by use less the discount: accept a pick with probability (uses - d) / uses
                index = self.rng.choice(self.occurrences)
                if self.rng.random() * self.uses[index] < self.uses[index] - DISCOUNT:
                    break
        self.uses[index] += 1
        self.occurrences.append(index)
        return self.names[index], self.uses[index] == 1

    def _new(self) -> int:
        name = self.make(self.rng)
        while name.casefold() in self.taken:
            name = self.make(self.rng)
        self.taken.add(name.casefold())
        self.names.append(name)
        self.uses.append(0)
        return len(self.names) - 1


def _method_name(rng: random.Random) -> str:
    return f"{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES).lower()}{rng.choice(METHOD_SUFFIXES)}{rng.choice(VERSIONS)}"


def _long_form(rng: random.Random) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(MODIFIERS), rng.choice(NOUNS)]
    if rng.random() < 0.4:
        words.insert(1, rng.choice(ADJECTIVES))
    return " ".join(words)


def _dataset_name(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHKLMNPQRSTVWXYZ") for _ in range(rng.randint(2, 4)))
    number = f"-{rng.randint(1, 20)}" if rng.random() < 0.5 else ""
    return f"{letters}{rng.choice(DATASET_SUFFIXES)}{number}"


def _acronym(long_form: str) -> str:
    return "".join(part[0].upper() for word in long_form.split() for part in word.split("-"))


@dataclass
class Vocabulary:
    """The names a corpus is made of; ``acronyms`` maps each long form to its acronym."""

    rng: random.Random
    taken: set[str] = field(default_factory=set)
    acronyms: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.methods = NameProcess(self.rng, _method_name, self.taken)
        self.datasets = NameProcess(self.rng, _dataset_name, self.taken)
        self.long_forms = NameProcess(self.rng, self._long_form_with_acronym, self.taken)

    def _long_form_with_acronym(self, rng: random.Random) -> str:
        long_form = _long_form(rng)
        acronym = _acronym(long_form)
        # One acronym, one long form: a second meaning would make the acronym ambiguous.
        while acronym.casefold() in self.taken:
            acronym += rng.choice("0123456789ABCDEFGHKLMNPRSTVWXZ")
        self.taken.add(acronym.casefold())
        self.acronyms[long_form] = acronym
        return long_form

    def acronym(self) -> tuple[str, str]:
        long_form, _ = self.long_forms.draw()
        return long_form, self.acronyms[long_form]


def corpus_sentences() -> list[str]:
    """The sample corpus's sentences, as papergraph reads and splits them."""
    from ingest.extract import split_abstract
    from ingest.readers import read_paths

    papers = read_paths([CORPUS]).papers
    return [s.text for p in papers for s, _ in split_abstract(p.abstract) if len(s.text.split()) >= 6]


def _arxiv_created(moment: datetime) -> str:
    return f"{moment:%a}, {moment.day} {moment:%b %Y %H:%M:%S} GMT"


def _authors(rng: random.Random) -> str:
    names = [f"{rng.choice(FIRST_INITIALS)}. {rng.choice(SURNAMES)}" for _ in range(rng.randint(1, 7))]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _categories(rng: random.Random) -> str:
    chosen = rng.choices(list(CATEGORIES), weights=list(CATEGORIES.values()), k=rng.randint(1, 3))
    return " ".join(dict.fromkeys(chosen))


class _Slots(dict):
    """A template's values; the names a template asks for beyond the paper's own method
    and dataset are drawn only then, so every name drawn is in the text."""

    def __init__(self, vocabulary: Vocabulary, **values):
        super().__init__(values)
        self.vocabulary = vocabulary

    def __missing__(self, key: str) -> str:
        if key in ("long", "acr"):
            self["long"], self["acr"] = self.vocabulary.acronym()
        elif key in ("m2", "d2"):
            names = self.vocabulary.methods if key == "m2" else self.vocabulary.datasets
            other = names.draw()[0]
            while other == self[key[0]]:
                other = names.draw()[0]
            self[key] = other
        else:
            raise KeyError(key)
        return self[key]


def generate(n: int, rng: random.Random, vocabulary: Vocabulary, sentences: list[str]) -> Iterator[dict]:
    """``n`` arXiv metadata records; the same ``rng`` seed gives the same records."""
    titles: set[str] = set()
    per_month: dict[str, int] = {}
    for _ in range(n):
        m, m_is_new = vocabulary.methods.draw()
        d, d_is_new = vocabulary.datasets.draw()
        task = rng.choice(TASKS)
        slots = _Slots(
            vocabulary, m=m, d=d, task=task, Task=task.title(), metric=rng.choice(METRICS),
            k=rng.randint(1, 500) * 100, x=rng.uniform(40, 99), y=rng.uniform(0.3, 9.0), z=rng.randint(2, 12),
        )  # fmt: skip
        made = [rng.choice(METHOD_INTRO if m_is_new else METHOD_REUSE).format_map(slots)]
        if d_is_new:
            made.append(rng.choice(DATASET_NEW).format_map(slots))
        made += [rng.choice(RESULTS).format_map(slots) for _ in range(rng.randint(1, 2))]
        real = rng.sample(sentences, k=max(2, rng.randint(5, 9) - len(made)))
        # A real opening sentence, the paper's own method, more real sentences, then its results.
        abstract = " ".join([real[0], made[0], *real[1:], *made[1:]])

        title = rng.choice(TITLES).format_map(slots)
        while title.casefold() in titles:
            title = f"{rng.choice(TITLES).format_map(slots)} (part {rng.randint(2, 99)})"  # no new capitalised word
        titles.add(title.casefold())

        created = FIRST_DAY + timedelta(days=rng.randrange(DAYS), seconds=rng.randrange(86_400))
        month = f"{created:%y%m}"
        per_month[month] = per_month.get(month, 0) + 1
        versions = [created]
        for _ in range(rng.choice((0, 0, 1, 2))):
            versions.append(versions[-1] + timedelta(days=rng.randint(3, 200), seconds=rng.randrange(86_400)))
        yield {
            "id": f"{month}.{per_month[month]:05d}",
            "submitter": rng.choice(SURNAMES),
            "authors": _authors(rng),
            "title": title,
            "comments": f"{rng.randint(6, 40)} pages",
            "journal-ref": None,
            "doi": None,
            "categories": _categories(rng),
            "abstract": abstract,
            "versions": [{"version": f"v{i}", "created": _arxiv_created(v)} for i, v in enumerate(versions, start=1)],
            "update_date": f"{versions[-1]:%Y-%m-%d}",
        }


def write_corpus(n: int, out: Path, seed: int = 0, sentences: list[str] | None = None) -> dict:
    """Write ``n`` records to ``out`` (JSON lines); return counts of the names in it."""
    sentences = sentences if sentences is not None else corpus_sentences()
    started = time.perf_counter()
    rng = random.Random(seed)
    vocabulary = Vocabulary(rng)
    capitalised: set[str] = set()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as file:
        for record in generate(n, rng, vocabulary, sentences):
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
            capitalised.update(CAPITALISED.findall(record["title"]))
            capitalised.update(CAPITALISED.findall(record["abstract"]))
    return {
        "abstracts": n,
        "seed": seed,
        "method_names": len(vocabulary.methods.names),
        "dataset_names": len(vocabulary.datasets.names),
        "acronym_definitions": len(vocabulary.long_forms.names),
        "capitalised_tokens": len(capitalised),
        "seconds": round(time.perf_counter() - started, 1),
        "out": str(out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="how many abstracts")
    parser.add_argument("--out", type=Path, required=True, help="the JSON lines file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    counts = write_corpus(args.n, args.out, args.seed)
    print(json.dumps(counts), file=sys.stderr)


if __name__ == "__main__":
    main()
