"""A console query's results as a table, CSV and JSON."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from graph_schema.query_console import QueryResult


def cell_text(value: Any) -> Any:
    """Scalars as they are; lists, maps, nodes and relationships as JSON text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


def results_frame(result: QueryResult) -> pd.DataFrame:
    return pd.DataFrame([[cell_text(row[c]) for c in result.columns] for row in result.rows], columns=result.columns)


def results_csv(result: QueryResult) -> str:
    return results_frame(result).to_csv(index=False)


def results_json(result: QueryResult) -> str:
    return json.dumps(result.rows, indent=2, default=str, ensure_ascii=False)
