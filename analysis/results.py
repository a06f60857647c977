"""The results table (method × dataset × metric × value, with the paper),
read back from the result rows stored on claims."""

from __future__ import annotations

import json

from graph_schema.schema import Label, Rel
from graph_schema.store import Store


def stored_results(store: Store, concept_id: str | None = None) -> list[dict]:
    """Every result row, or only those whose method or dataset is ``concept_id``."""
    rows = store.read(
        f"""MATCH (p:{Label.PAPER})-[:{Rel.CLAIMS}]->(c:{Label.CLAIM})
        WHERE c.results IS NOT NULL AND c.results <> '[]'
        RETURN p.id AS paper_id, p.title AS paper, c.text AS claim, c.results AS results
        ORDER BY p.id, c.sentence"""
    )
    table = []
    for row in rows:
        for result in json.loads(row["results"]):
            if concept_id and concept_id not in (result["method_id"], result["dataset_id"]):
                continue
            table.append(
                {
                    "method": result["method"],
                    "dataset": result["dataset"],
                    "metric": result["metric"],
                    "value": result["value"],
                    "unit": result["unit"],
                    "relative": result["relative"],
                    "paper": row["paper"],
                    "paper_id": row["paper_id"],
                    "claim": row["claim"],
                    "method_id": result["method_id"],
                    "dataset_id": result["dataset_id"],
                }
            )
    return table
