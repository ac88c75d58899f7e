"""Tables for people (stdout for results, stderr for reports that accompany data), and reports as JSON for machines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Column, Table

from classify.errors import one_line
from classify.model_meta import CrossSource, CrossValidation
from classify.parallel import chunked
from classify.tagging import TaggedArticle

TABLE_BLOCK_ROWS = 100


class _Console(Console):
    """Rich exits 1 when the reader goes away (`| head -1`); let the CLI end quietly with 0 as for jsonl."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def _console(stream: TextIO) -> Console:
    return _Console(file=stream, highlight=False, soft_wrap=False, markup=False,
                    width=None if stream.isatty() else 120)


def print_json(report: Any, stream: TextIO) -> None:
    """A report's `--format json`: one indented JSON document."""
    json.dump(report, stream, indent=2)
    stream.write("\n")


def print_tag_table(tagged: Iterable[TaggedArticle], stream: TextIO) -> None:
    """One row per article: its tags with score and the terms behind each.

    Printed a block of rows at a time, so a huge batch streams instead of piling up in memory.
    """
    console = _console(stream)
    for block in chunked(tagged, TABLE_BLOCK_ROWS):
        table = Table(Column("id", overflow="fold"), "labels", "why (top terms)", "scores")
        for item in block:
            labels = "\n".join(f"{label} {item.scores[label]:.2f}" for label in item.labels) or "-"
            why = "\n".join(f"{label}: {', '.join(terms)}" for label, terms in item.reasons.items()) or "-"
            scores = " ".join(f"{topic[:4]}={score:.2f}" for topic, score in item.scores.items())
            article = one_line(item.id) + (f"\n{one_line(item.title)}" if item.title else "")
            table.add_row(article, labels, why, scores)
        console.print(table)


def metrics_table(metrics: Mapping[str, Any], topics: Sequence[str], title: str) -> Table:
    """Per-topic precision, recall, F1, Brier score (and threshold, support) plus the macro line."""
    table = Table("topic", "precision", "recall", "F1", "Brier", "threshold", "pos / neg", title=title)
    for topic in topics:
        row = metrics[topic]
        table.add_row(topic, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", _brier(row),
                      f"{row['threshold']:.3f}", f"{row['positives']} / {row['negatives']}")
    table.add_row("macro", "", "", f"{metrics['macro_f1']:.3f}", _brier(metrics, "macro_brier"), "", "", style="bold")
    table.caption = left_out_note([metrics])
    return table


def left_out_note(metrics: Iterable[Mapping[str, Any]]) -> str | None:
    """The line saying which topics macro-F1 leaves out (see `classify.metrics.macro`), if any."""
    left_out = sorted({topic for figures in metrics for topic in figures.get("macro_left_out", ())})
    if not left_out:
        return None
    return (f"macro-F1 leaves out {', '.join(left_out)}: no article in the data has "
            f"{'it' if len(left_out) == 1 else 'them'} and none was tagged with {'it' if len(left_out) == 1 else 'them'}")


def _brier(row: Mapping[str, Any], key: str = "brier") -> str:
    """A Brier score to show, or "-" for figures from a model trained before they were kept."""
    return f"{row[key]:.3f}" if key in row else "-"


def print_training_report(cross_validation: CrossValidation, topics: Sequence[str],
                          cross_source: CrossSource | None = None) -> None:
    """Cross-validated figures, and beside them those on another source when `--check` gave one.

    They go to stderr: `train`'s product is the model file.
    """
    title = f"Cross-validated ({cross_validation.folds} folds), at each topic's chosen threshold"
    if cross_source is None:
        _console(sys.stderr).print(metrics_table(cross_validation.metrics, topics, title))
        return
    _console(sys.stderr).print(comparison_table(
        {"cross-validated": cross_validation.metrics, "on --check": cross_source.metrics}, topics,
        f"{title}; --check: {cross_source.data} ({cross_source.articles} articles)"))


def comparison_table(columns: Mapping[str, Mapping[str, Any]], topics: Sequence[str], title: str) -> Table:
    """Per topic, the threshold and then F1 (precision / recall) and Brier score from each set of metrics side by side.

    Models trained before Brier scores were kept show "-" there.
    """
    first = next(iter(columns.values()))
    table = Table("topic", "threshold", *(f"{name}\nF1 (P / R)" for name in columns), *(f"{name}\nBrier" for name in columns),
                  title=title)
    for topic in topics:
        figures = [metrics[topic] for metrics in columns.values()]
        table.add_row(topic, f"{first[topic]['threshold']:.3f}",
                      *(f"{row['f1']:.3f} ({row['precision']:.2f} / {row['recall']:.2f})" for row in figures),
                      *(_brier(row) for row in figures))
    table.add_row("macro", "", *(f"{metrics['macro_f1']:.3f}" for metrics in columns.values()),
                  *(_brier(metrics, "macro_brier") for metrics in columns.values()),
                  style="bold")
    table.caption = left_out_note(columns.values())
    return table


def _setting_shown(value: Any) -> str:
    """A setting for the table: a word list (the stop words) by its size; `--format json` has the words."""
    if isinstance(value, list | tuple) and len(value) > 8:
        return f"{len(value)} words"
    return str(value)


def print_model_info(info: Mapping[str, Any], stream: TextIO) -> None:
    """`classify info` for people: the facts first, then the figures on the training source and on --check's."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column(overflow="fold")
    if "model" in info:
        facts.add_row("model", f"{info['model']['path']} ({info['model']['bytes']:,} bytes)")
    data = info["training_data"]
    facts.add_row("topics", ", ".join(info["topics"]))
    facts.add_row("trained on", f"{data['articles']:,} articles from {data['source']}")
    facts.add_row("data sha256", data["sha256"])
    if data.get("seeds_sha256"):
        facts.add_row("seeds sha256", data["seeds_sha256"])
    facts.add_row("created", info["created"])
    settings = info["settings"]
    facts.add_row("settings", ", ".join(f"{key}={value}" for key, value in settings.items() if key != "vectorizer"))
    facts.add_row("vectorizer", ", ".join(f"{key}={_setting_shown(value)}" for key, value in settings["vectorizer"].items()))
    dense = info.get("dense")
    facts.add_row("dense view", f"{dense['embedder']} ({dense['dimensions']} dimensions, first {dense['words']} words), "
                                f"weight {dense['weight']:g} of each score" if dense else "no (TF-IDF only)")
    facts.add_row("versions", ", ".join(f"{name} {version}" for name, version in info["versions"].items()))
    console = _console(stream)
    console.print(facts)
    cross_validation, cross_source = info["cross_validation"], info.get("cross_source")
    columns = {"cross-validated": cross_validation["metrics"]}
    title = f"Cross-validated ({cross_validation['folds']} folds)"
    if cross_source:
        columns["on --check"] = cross_source["metrics"]
        title += f"; --check: {cross_source['data']} ({cross_source['articles']} articles)"
    console.print(comparison_table(columns, info["topics"], title))
    if not cross_source:
        console.print("No figures on another source: train with --check DATA to add them.")


def print_metrics(metrics: Mapping[str, Any], topics: Sequence[str], title: str, stream: TextIO) -> None:
    """Evaluation results for people, on stdout."""
    _console(stream).print(metrics_table(metrics, topics, title))


def print_rouge(rows: Sequence[Mapping[str, Any]], title: str, stream: TextIO) -> None:
    """Summary methods side by side: ROUGE-1, ROUGE-2, ROUGE-Lsum and speed."""
    table = Table("method", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum", "articles/s", "articles", title=title)
    for row in rows:
        table.add_row(row["method"], f"{row['rouge1']:.2f}", f"{row['rouge2']:.2f}", f"{row['rougeLsum']:.2f}",
                      f"{row['articles_per_second'] or 0:.0f}", str(row["articles"]))
    _console(stream).print(table)
