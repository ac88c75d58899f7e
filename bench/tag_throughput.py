"""Batch throughput: `classify tag` and `classify summarize` on real articles, against bare scripts.

    .venv/bin/python bench/tag_throughput.py [--articles 2000] [--summaries 300] [--repeats 5] [--dense]

Tagging: `classify tag 2000.jsonl --format jsonl -o OUT -m allsides.npz` against a bare script that
joblib-loads an equivalent scikit-learn Pipeline (TfidfVectorizer with classify/training.py's
parameters, fitted on the same texts, + OneVsRestClassifier(LogisticRegression)) and writes
`predict_proba` as JSON lines for the same records. Both are fresh processes: start-up, model
loading, reading and writing JSON are in both. Target: ≤ 0.55×. The records classify wrote are
then compared byte for byte with those the scikit-learn path writes for the same model
(`TopicModel(lean=False)`, in this process). With `--dense` (the `dense` extra installed), the
same records are also tagged with an allsides model trained with `--dense`, and its time is given
against `classify tag` with the TF-IDF-only model too.

Summaries: `classify summarize N.jsonl --method lexrank --format jsonl -o OUT` against a bare loop
over sumy's LexRankSummarizer with the same (offline) sentence tokenizer, classify.sentences.
There is no target for these; the default method is shown for comparison.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from _harness import (
    ALLSIDES,
    CLASSIFY,
    PYTHON,
    REPO,
    allsides_sample,
    command,
    fingerprint,
    interleaved,
    machine_note,
    parser,
    table,
    trained_model,
    verdict,
    workdir,
)

TARGET = 0.55

BARE_TAG = '''\
"""What a user would write: a joblib-saved scikit-learn pipeline over JSON lines, in batches."""
import json
import sys
from itertools import islice

import joblib

saved = joblib.load(sys.argv[1])
pipeline, topics = saved["pipeline"], saved["topics"]
with open(sys.argv[2], encoding="utf-8") as source, open(sys.argv[3], "w", encoding="utf-8") as out:
    while lines := list(islice(source, 256)):
        records = [json.loads(line) for line in lines]
        texts = [f"{r['title']}\\n\\n{r['text']}" if r.get("title") else r["text"] for r in records]
        for record, row in zip(records, pipeline.predict_proba(texts)):
            scores = {topic: round(float(p), 4) for topic, p in zip(topics, row)}
            labels = [topic for topic, p in scores.items() if p >= 0.5]
            out.write(json.dumps({"id": record["id"], "labels": labels, "scores": scores}, ensure_ascii=False) + "\\n")
'''

BARE_SUMMARIZE = '''\
"""What a user would write: sumy's LexRank over JSON lines, with classify's offline sentence tokenizer
(sumy's own needs NLTK's punkt download)."""
import json
import sys

from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

from classify.sentences import SentenceTokenizer

summarizer = LexRankSummarizer(Stemmer("english"))
summarizer.stop_words = get_stop_words("english")
tokenizer = SentenceTokenizer()
with open(sys.argv[1], encoding="utf-8") as source, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in source:
        record = json.loads(line)
        document = PlaintextParser.from_string(record["text"], tokenizer).document
        sentences = [str(sentence) for sentence in summarizer(document, 3)]
        out.write(json.dumps({"id": record["id"], "summary": sentences, "method": "lexrank"}, ensure_ascii=False) + "\\n")
'''


def fitted_pipeline(work: Path) -> Path:
    """The bare script's model: the same texts (full texts + leads) and vectorizer settings as `classify train`."""
    code = REPO / "classify" / "training.py"
    path = work / f"pipeline-{fingerprint(code, ALLSIDES, Path(__file__))}.joblib"
    if path.exists():
        return path
    print(f"fitting the scikit-learn pipeline {path.name} (cached for later runs)", file=sys.stderr, flush=True)
    import joblib
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MultiLabelBinarizer

    from classify.inputs import iter_articles
    from classify.model import vectorizer_kwargs
    from classify.training import FIT_PARAMS, REGULARISATION_C, VECTORIZER_PARAMS, with_leads

    articles = list(iter_articles([str(ALLSIDES)]))
    texts = with_leads(articles)
    labels = [sorted(article.labels or ()) for article in articles] * (len(texts) // len(articles))
    binarizer = MultiLabelBinarizer()
    targets = binarizer.fit_transform(labels)
    pipeline = Pipeline([
        ("tfidf", TfidfVectorizer(dtype=np.float32, **FIT_PARAMS, **vectorizer_kwargs(VECTORIZER_PARAMS))),
        ("classify", OneVsRestClassifier(LogisticRegression(C=REGULARISATION_C, class_weight="balanced",
                                                            solver="liblinear"))),
    ])
    pipeline.fit(texts, targets)
    joblib.dump({"pipeline": pipeline, "topics": list(binarizer.classes_)}, path)
    return path



def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--articles", type=int, default=2000)
    arguments.add_argument("--summaries", type=int, default=300)
    arguments.add_argument("--repeats", type=int, default=5)
    arguments.add_argument("--dense", action="store_true", help="also tag with an allsides model trained with --dense")
    options = arguments.parse_args()
    work = workdir(options.workdir)
    model = trained_model(work, "allsides", [ALLSIDES], ["--no-seeds"])  # what the bare pipeline learns from
    pipeline = fitted_pipeline(work)
    (work / "bare_tag.py").write_text(BARE_TAG, encoding="utf-8")
    (work / "bare_summarize.py").write_text(BARE_SUMMARIZE, encoding="utf-8")

    records = allsides_sample(work, options.articles)
    print(f"# Tagging {options.articles:,} allsides articles as JSONL, {options.repeats} interleaved runs, medians")
    cases = {
        "bare pipeline": command([PYTHON, str(work / "bare_tag.py"), str(pipeline), str(records), str(work / "bare.jsonl")]),
        "classify tag": command([*CLASSIFY, "tag", str(records), "-m", str(model), "--format", "jsonl",
                                 "-o", str(work / "tagged.jsonl")]),
    }
    if options.dense:
        dense = trained_model(work, "allsides-dense", [ALLSIDES], ["--no-seeds", "--dense"])
        cases["classify tag, dense model"] = command([*CLASSIFY, "tag", str(records), "-m", str(dense), "--format", "jsonl",
                                                      "-o", str(work / "tagged-dense.jsonl")])
    results = interleaved(cases, options.repeats)
    base, plain = results["bare pipeline"], results["classify tag"]
    rows = []
    for name, series in results.items():
        ratio = series.wall / base.wall
        rows.append([name, f"{series.wall:.2f}", series.spread, f"{series.cpu:.2f}",
                     f"{options.articles / series.wall:,.0f}", f"{ratio:.2f}×",
                     f"{series.wall / plain.wall:.2f}× (cpu {series.cpu / plain.cpu:.2f}×)",
                     verdict(ratio, TARGET) if name == "classify tag" else ""])
    print(table(rows, ["case", "median s", "range s", "cpu s", "articles/s", "÷ bare", "÷ classify tag", ""]))
    print(f"same ids in the same order in both outputs: {_same_ids(work / 'bare.jsonl', work / 'tagged.jsonl')}")
    identical = (work / "tagged.jsonl").read_bytes() == _sklearn_path_jsonl(model, records)
    print(f"classify's records byte-identical to the scikit-learn path's: {'yes' if identical else 'NO'}")

    if options.summaries:  # --summaries 0 skips them
        records = allsides_sample(work, options.summaries)
        print(f"\n# Summarising {options.summaries:,} allsides articles (3 sentences), {options.repeats} interleaved runs")
        cases = {
            "bare sumy lexrank": command([PYTHON, str(work / "bare_summarize.py"), str(records), str(work / "bare-sum.jsonl")]),
            "classify lexrank": command([*CLASSIFY, "summarize", str(records), "--method", "lexrank", "--format", "jsonl",
                                         "-o", str(work / "sum-lexrank.jsonl")]),
            "classify default": command([*CLASSIFY, "summarize", str(records), "--format", "jsonl",
                                         "-o", str(work / "sum-default.jsonl")]),
        }
        results = interleaved(cases, options.repeats)
        base = results["bare sumy lexrank"]
        rows = [[name, f"{series.wall:.2f}", series.spread, f"{series.cpu:.2f}", f"{options.summaries / series.wall:,.0f}",
                 f"{series.wall / base.wall:.2f}×"] for name, series in results.items()]
        print(table(rows, ["case", "median s", "range s", "cpu s", "articles/s", "÷ bare"]))
    print(machine_note())


def _sklearn_path_jsonl(model_path: Path, records: Path) -> bytes:
    """What `classify tag RECORDS -f jsonl` writes when scikit-learn computes the features."""
    import dataclasses
    import io

    from classify.inputs import iter_articles
    from classify.model_file import load_model
    from classify.outputs import write_records
    from classify.tagging import tag

    model = dataclasses.replace(load_model(model_path), lean=False)
    stream = io.StringIO()
    write_records((item.record() for item in tag(iter_articles([str(records)]), model, reasons=False)), "jsonl", stream)
    return stream.getvalue().encode("utf-8")


def _same_ids(bare: Path, tagged: Path) -> str:
    with bare.open(encoding="utf-8") as a, tagged.open(encoding="utf-8") as b:
        return "yes" if all(json.loads(x)["id"] == json.loads(y)["id"] for x, y in zip(a, b, strict=True)) else "NO"


if __name__ == "__main__":
    main()
