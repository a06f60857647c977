"""Trends: how the field moves over time, from the papers' dates.

Papers mentioning each concept per year or month and their share of the
corpus; the concepts rising and falling most; one concept's timeline; what it
is mentioned with, period by period.  The figures come from
``analysis.trends``, one store query each.

``?concept=method:…`` picks the concept of the timeline; ``?by=month`` counts by month.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from analysis.details import concept_details
from analysis.trends import (
    GRANULARITIES,
    MONTH,
    MOVERS_KEPT,
    MOVERS_MIN_PAPERS,
    YEAR,
    ConceptChange,
    Movers,
    Timeline,
    co_mentions_over_time,
    concept_trends,
    corpus_timeline,
    default_recent_periods,
    period_start,
    rising_and_falling,
    top_concepts,
)
from ui.graph_view import label_colour
from ui.navigation import linked_table, open_node
from ui.state import StreamlitProgress, store_or_stop

CHART_CONCEPTS = 5  # drawn at first
CHOOSABLE_CONCEPTS = 200  # offered in the pickers
CO_MENTIONED = 5  # per period
ROW_PX = 26  # a bar or a row of a chart with one per concept


def time_axis(timeline: Timeline) -> alt.X:
    """Years as labels, one a column; months on a time scale, where their number can grow large."""
    if timeline.granularity == YEAR:
        return alt.X("period:O", title="year", axis=alt.Axis(labelAngle=0))
    return alt.X("start:T", timeUnit="yearmonth", title="month", axis=alt.Axis(format="%b %Y"))


def percent(share: float) -> float:
    return round(100 * share, 1)


def corpus_chart(timeline: Timeline) -> alt.Chart:
    frame = pd.DataFrame(
        {"period": period, "start": period_start(period), "papers": papers}
        for period, papers in timeline.totals.items()
    )
    return (
        alt.Chart(frame, height=160)
        .mark_bar(color=label_colour("Paper"))
        .encode(time_axis(timeline), alt.Y("papers:Q", title="dated papers"), tooltip=["period", "papers"])
    )


def concepts_chart(timeline: Timeline, concept_ids: list[str], as_share: bool) -> alt.Chart:
    frame = pd.DataFrame(
        {
            "concept": row.name,
            "period": row.period,
            "start": period_start(row.period),
            "papers": row.papers,
            "share (%)": percent(row.share),
        }
        for row in concept_trends(store, timeline, concept_ids)
    )
    measure = "share (%)" if as_share else "papers"
    return (
        alt.Chart(frame, height=340)
        .mark_line(point=True)
        .encode(
            time_axis(timeline),
            alt.Y(f"{measure}:Q", title="share of dated papers (%)" if as_share else "papers"),
            alt.Color("concept:N", sort=None),
            tooltip=["concept", "period", "papers", "share (%)"],
        )
    )


def change_rows(changes: list[ConceptChange]) -> list[dict]:
    return [
        {
            "id": change.concept_id,
            "label": change.label,
            "concept": change.name,
            "change (points)": round(100 * change.change, 1),
            "recent (%)": percent(change.recent_share),
            "earlier (%)": percent(change.earlier_share),
            "recent papers": change.recent_papers,
            "earlier papers": change.earlier_papers,
        }
        for change in changes
    ]


def span(periods: list[str]) -> str:
    return periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def movers_chart(movers: Movers) -> alt.Chart:
    frame = pd.DataFrame(change_rows(movers.rising) + change_rows(movers.falling))
    frame["direction"] = ["rising" if change > 0 else "falling" for change in frame["change (points)"]]
    return (
        alt.Chart(frame, height=alt.Step(ROW_PX))
        .mark_bar()
        .encode(
            alt.X("change (points):Q", title="change in share of papers (percentage points)"),
            alt.Y("concept:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=240)),
            alt.Color(
                "direction:N", scale=alt.Scale(domain=["rising", "falling"], range=["#54A24B", "#E45756"]), legend=None
            ),
            tooltip=["concept", "label", "change (points)", "recent (%)", "earlier (%)"],
        )
    )


def timeline_chart(timeline: Timeline, concept_id: str) -> tuple[alt.LayerChart, pd.DataFrame]:
    frame = pd.DataFrame(
        {"period": row.period, "start": period_start(row.period), "papers": row.papers, "share (%)": percent(row.share)}
        for row in concept_trends(store, timeline, [concept_id])
    )
    base = alt.Chart(frame, height=260).encode(time_axis(timeline), tooltip=["period", "papers", "share (%)"])
    bars = base.mark_bar(opacity=0.5, color=label_colour("Paper")).encode(alt.Y("papers:Q", title="papers"))
    line = base.mark_line(point=True, color="#E45756").encode(alt.Y("share (%):Q", title="share of dated papers (%)"))
    return alt.layer(bars, line).resolve_scale(y="independent"), frame


def co_mentions_chart(timeline: Timeline, concept_id: str) -> tuple[alt.Chart | None, pd.DataFrame]:
    frame = pd.DataFrame(
        {
            "period": row.period,
            "rank": row.rank,
            "concept": row.name,
            "label": row.label,
            "papers together": row.papers,
            "of its papers (%)": percent(row.share),
        }
        for row in co_mentions_over_time(store, timeline, concept_id, per_period=CO_MENTIONED)
    )
    if frame.empty:
        return None, frame
    chart = (
        alt.Chart(frame, height=alt.Step(ROW_PX))
        .mark_rect()
        .encode(
            alt.X(
                "period:O",
                title=timeline.granularity,
                axis=alt.Axis(labelAngle=0 if timeline.granularity == YEAR else -90),
            ),
            alt.Y(
                "concept:N",
                sort=alt.EncodingSortField("papers together", op="sum", order="descending"),
                title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=240),
            ),
            alt.Color("of its papers (%):Q", scale=alt.Scale(scheme="blues")),
            tooltip=["period", "concept", "label", "papers together", "of its papers (%)", "rank"],
        )
    )
    return chart, frame


store = store_or_stop()
st.title("Trends")

with st.spinner("Counting the papers added since the last count, per year and month…"):
    by_year = corpus_timeline(store, YEAR, StreamlitProgress())
if not by_year.dated:
    st.info(
        f"This corpus has no dates: none of its {by_year.papers:,} papers has a `date` or a `year`, "
        "so there is nothing to show over time. Ingest JSONL or CSV listings with a `date` column "
        "(YYYY-MM-DD) to see how concepts rise and fall."
    )
    st.stop()

asked_by = st.query_params.get("by", YEAR)
granularity = st.segmented_control(
    "Count by",
    GRANULARITIES,
    default=asked_by if asked_by in GRANULARITIES else YEAR,
    required=True,
    format_func=str.capitalize,
)
timeline = by_year if granularity == YEAR else corpus_timeline(store, MONTH)
if not timeline.dated:
    st.info("No paper's date gives a month (dates here are years only): counting by year.")
    timeline = by_year
others = timeline.undated
left_out = f"; the other {others:,} {'is' if others == 1 else 'are'} left out" if others else ""
st.caption(
    f"{timeline.dated:,} of {timeline.papers:,} papers have a {timeline.granularity} to count by "
    f"({span(timeline.periods)}){left_out}. A *share* is the part of a {timeline.granularity}'s papers "
    "that mention a concept."
)
if timeline.uncounted:
    st.caption(
        f"{timeline.uncounted:,} papers were added or changed since these counts were made; an ingest at "
        "work counts them when it ends."
    )
st.altair_chart(corpus_chart(timeline), width="stretch")

# The concepts most dated papers mention, to choose from.
concepts = {row.concept_id: (row.name, row.label) for row in top_concepts(store, timeline, CHOOSABLE_CONCEPTS)}


def concept_caption(concept_id: str) -> str:
    name, label = concepts[concept_id]
    return f"{name} ({label})"


# -- every concept over time ---------------------------------------------------------

st.subheader("Concepts over time")
if not concepts:
    st.info(
        "No dated paper mentions a concept: concepts are extracted when papers are ingested with the trained extractor."
    )
    st.stop()
chosen = st.multiselect(
    "Concepts", list(concepts), default=list(concepts)[:CHART_CONCEPTS], format_func=concept_caption
)
as_share = st.toggle("As a share of the period's papers", value=True)
if chosen:
    st.altair_chart(concepts_chart(timeline, chosen, as_share), width="stretch")
else:
    st.caption("Choose concepts to draw.")

# -- rising and falling --------------------------------------------------------------

st.subheader("Rising and falling")
periods = timeline.periods
movers = None
if len(periods) < 2:
    st.caption(f"All dated papers fall in one {timeline.granularity}: nothing to compare.")
else:
    recent_periods = (
        st.slider(
            f"Recent {timeline.granularity}s compared with all before",
            1,
            len(periods) - 1,
            default_recent_periods(timeline.granularity, len(periods)),
        )
        if len(periods) > 2
        else 1
    )
    movers = rising_and_falling(store, timeline, recent_periods, min_papers=MOVERS_MIN_PAPERS, limit=MOVERS_KEPT)
    st.caption(
        f"Each concept's share of the dated papers in {span(movers.recent)} ({movers.recent_total:,} papers) "
        f"against its share in {span(movers.earlier)} ({movers.earlier_total:,} papers); *change* is the "
        f"difference in percentage points. Concepts in fewer than {MOVERS_MIN_PAPERS} dated papers are left out. "
        "Select a row to open the concept."
    )
    if movers.rising or movers.falling:
        st.altair_chart(movers_chart(movers), width="stretch")
    columns = ["concept", "label", "change (points)", "recent (%)", "earlier (%)", "recent papers", "earlier papers"]
    st.markdown("**Rising**")
    linked_table(change_rows(movers.rising), key="rising", columns=columns)
    if not movers.rising:
        st.caption("No concept gained share.")
    st.markdown("**Falling**")
    linked_table(change_rows(movers.falling), key="falling", columns=columns)
    if not movers.falling:
        st.caption("No concept lost share.")

# -- one concept ------------------------------------------------------------------

st.subheader("One concept over time")
asked = st.query_params.get("concept")
if asked and asked not in concepts:
    asked_concept = concept_details(store, asked)
    if asked_concept is None:
        st.warning(f"No concept has the id {asked!r}.")
    else:
        concepts = {asked: (asked_concept.name, asked_concept.label), **concepts}
if asked in concepts:
    shown_first = asked
elif movers and movers.rising:
    rising_most = movers.rising[0]
    concepts.setdefault(rising_most.concept_id, (rising_most.name, rising_most.label))
    shown_first = rising_most.concept_id
else:
    shown_first = next(iter(concepts))
concept_id = st.selectbox(
    "Concept",
    list(concepts),
    index=list(concepts).index(shown_first),
    format_func=concept_caption,
    help="At first the concept rising most, or the one the address names (`?concept=`).",
)
concept_name, concept_label = concepts[concept_id]
chart, table = timeline_chart(timeline, concept_id)
mentioned = table[table["papers"] > 0]
if mentioned.empty:
    st.caption("No dated paper mentions this concept.")
else:
    peak = mentioned.loc[mentioned["share (%)"].idxmax()]
    facts = st.columns(3)
    facts[0].metric("Dated papers mentioning it", f"{int(table['papers'].sum()):,}")
    facts[1].metric(f"First {timeline.granularity}", mentioned.iloc[0]["period"])
    facts[2].metric(f"Largest share ({peak['period']})", f"{peak['share (%)']:.1f}%")
    st.altair_chart(chart, width="stretch")
    with st.expander("As a table"):
        st.dataframe(table.drop(columns=["start"]), hide_index=True, width="stretch")
if st.button("Open the concept's page"):
    open_node(concept_label, concept_id)

st.markdown(f"**Mentioned with {concept_name}, {timeline.granularity} by {timeline.granularity}**")
co_chart, co_table = co_mentions_chart(timeline, concept_id)
if co_chart is None:
    st.caption("No other concept is mentioned in its dated papers.")
else:
    st.caption(
        f"The {CO_MENTIONED} concepts most often mentioned in the same papers, per {timeline.granularity}; "
        "the colour is the part of this concept's papers that mention them too."
    )
    st.altair_chart(co_chart, width="stretch")
    with st.expander("As a table"):
        st.dataframe(co_table, hide_index=True, width="stretch")
