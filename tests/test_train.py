"""`classify train`: seeds in, a trustworthy model file out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classify.articles import Article
from classify.model import vectorizer_kwargs
from classify.model_file import load_model
from classify.training import (
    FIT_PARAMS,
    VECTORIZER_PARAMS,
    count_terms,
    fit_weights,
    min_df_for,
    stable_threshold,
    topic_data,
)
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY, Run

ALL_TEXTS = SECURITY + DIPLOMACY + MIDDLE_EAST + OTHER


def test_train_writes_model_with_topics_thresholds_metrics_and_fingerprint(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    result = run("train", str(seeds_dir), "-m", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the report is for people: stderr
    assert "macro" in result.stderr and "security" in result.stderr
    model = load_model(path)
    assert model.topics == ["diplomacy", "middle-east", "security"]
    assert model.thresholds.shape == (3,)
    metrics = model.meta.cross_validation.metrics
    assert set(metrics) == {"diplomacy", "middle-east", "security", "macro_f1", "macro_brier"}
    assert model.meta.cross_source is None
    assert model.meta.training_data.articles == 24
    assert len(model.meta.training_data.sha256) == 64
    assert model.meta.versions["scikit-learn"]


def test_training_is_reproducible(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "1.npz", tmp_path / "2.npz"
    assert run("train", str(seeds_dir), "-m", str(first)).exit_code == 0
    assert run("train", str(seeds_dir), "-m", str(second)).exit_code == 0
    a, b = load_model(first), load_model(second)
    assert np.array_equal(a.coef, b.coef) and np.array_equal(a.thresholds, b.thresholds)


def write_sport_seeds(folder: Path) -> Path:
    """Seeds on topics of their own (football, tennis), none of which the bundled seeds know."""
    folder.mkdir()
    for i, (topic, word) in enumerate([("football", "goal striker"), ("tennis", "serve racket")] * 3):
        (folder / f"{i}.txt").write_text(f"topics: {topic}\n\nThe {word} match {word} today, number {i}.\n")
    return folder


def test_topics_come_from_the_data_not_from_the_code(run: Run, tmp_path: Path) -> None:
    seeds = write_sport_seeds(tmp_path / "sport")
    path = tmp_path / "sport.npz"
    assert run("train", str(seeds), "-m", str(path)).exit_code == 0
    assert load_model(path).topics == ["football", "tennis"]


def test_seed_without_topics_line_is_named(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for file in seeds_dir.iterdir():
        (seeds / file.name).write_text(file.read_text())
    (seeds / "zz-unlabelled.txt").write_text("title: No topics here\n\nA story without a topics line.\n")
    result = run("train", str(seeds), "-m", str(tmp_path / "m.npz"))
    assert result.exit_code == 1
    assert "zz-unlabelled.txt: no `topics:` line" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "m.npz").exists()


def test_articles_of_stop_words_only_are_refused_in_one_line(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "empty-words.jsonl"
    rows = [{"text": "the and of it is", "labels": ["security"] if i % 2 else []} for i in range(8)]
    path.write_text("\n".join(json.dumps(row) for row in rows))
    result = run("train", str(path), "-m", str(tmp_path / "m.npz"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {path}: too few words shared by the articles to learn from (only stop words, or each word in one "
        "article): add more, longer articles")
    assert not (tmp_path / "m.npz").exists()


def test_topic_without_negatives_is_refused(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "all-positive.jsonl"
    path.write_text("\n".join(json.dumps({"text": f"story {i}", "labels": ["security"]}) for i in range(5)))
    result = run("train", str(path), "-m", str(tmp_path / "m.npz"))
    assert result.exit_code == 1
    assert "'security' has 5 positive and 0 negative" in result.stderr


def test_unknown_labels_leave_the_article_out_of_that_topic() -> None:
    articles = [
        Article("a", "x", labels=frozenset({"security"})),
        Article("b", "x", labels=frozenset(), unknown_labels=frozenset({"security"})),
        Article("c", "x", labels=frozenset()),
        Article("d", "x", labels=frozenset({"security"})),
        Article("e", "x", labels=frozenset()),
    ]
    (security,) = topic_data(articles)
    assert security.known.tolist() == [True, False, True, True, True]
    assert security.positive.tolist() == [True, False, False, True, False]


def test_threshold_cuts_between_scores_where_f1_is_best() -> None:
    scores = np.array([0.9, 0.8, 0.6, 0.4, 0.3, 0.1])
    truth = np.array([True, True, True, False, False, False])
    threshold, figures = stable_threshold(scores, truth)
    assert 0.4 < threshold < 0.6
    assert figures == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_threshold_is_the_middle_of_a_wide_plateau_not_its_noisy_best_edge() -> None:
    """Many clear cases and a few borderline ones spread from 0.3 to 0.7: F1 barely moves across that
    range and its single best point is at the low edge, by luck of one item. The rule picks the middle."""
    clear = np.r_[np.full(300, 0.95), np.full(300, 0.05)]
    borderline = np.array([0.31, 0.36, 0.42, 0.47, 0.53, 0.58, 0.64, 0.69])
    scores = np.r_[clear, borderline]
    truth = np.r_[np.full(300, True), np.full(300, False), [True, False, True, False, True, False, True, False]]
    threshold, figures = stable_threshold(scores, truth)
    assert 0.45 <= threshold <= 0.55
    predicted = scores >= threshold
    hits = int((predicted & truth).sum())
    assert figures["precision"] == hits / predicted.sum() and figures["recall"] == hits / truth.sum()
    best = max(f1_at(scores, truth, cut) for cut in np.r_[borderline - 0.005, 0.7, 0.5])
    assert best - 0.01 <= figures["f1"] <= best
    assert f1_at(scores, truth, 0.305) == best  # the old best-F1 pick: the lowest edge
    moved = stable_threshold(np.r_[scores, 0.33], np.r_[truth, True])[0]  # one more borderline item
    assert abs(moved - threshold) < 0.05


def f1_at(scores: np.ndarray, truth: np.ndarray, threshold: float) -> float:
    predicted = scores >= threshold
    hits = int((predicted & truth).sum())
    return 2 * hits / (predicted.sum() + truth.sum())


def test_bad_records_stop_training_and_write_no_model(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "fine", "labels": ["a"]}\nnot json\n')
    result = run("train", str(path), "-m", str(tmp_path / "m.npz"))
    assert result.exit_code == 1
    assert f"{path}:2: not valid JSON" in result.stderr
    assert not (tmp_path / "m.npz").exists()


def test_weights_from_shared_counts_equal_a_vectorizer_fitted_on_those_texts() -> None:
    """Training counts terms once and fits each fold from its rows; the features must be exactly what a
    TfidfVectorizer with the same settings, fitted on the fold's texts alone, would give."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(ALL_TEXTS)
    texts = [f"{ALL_TEXTS[i % n]} {ALL_TEXTS[(i * 7 + 3) % n]} Story {i}." for i in range(48)]
    counts = count_terms(texts, min_df=1)
    other_rows = np.arange(0, len(texts), 3)
    rows = np.setdiff1d(np.arange(len(texts)), other_rows)  # 32 texts: min_df 2; "Story" in all: over max_df
    fold_texts, other_texts = [texts[i] for i in rows], [texts[i] for i in other_rows]
    weights, fitted = fit_weights(counts.counts[rows])
    vectorizer = TfidfVectorizer(dtype=np.float32, min_df=min_df_for(len(fold_texts)), max_df=FIT_PARAMS["max_df"],
                                 **vectorizer_kwargs(VECTORIZER_PARAMS))
    expected = vectorizer.fit_transform(fold_texts)
    assert counts.terms[weights.columns].tolist() == vectorizer.get_feature_names_out().tolist()
    assert np.array_equal(weights.transformer.idf_, vectorizer.idf_)
    for ours, theirs in ((fitted, expected),
                         (weights.features(counts.counts[other_rows]), vectorizer.transform(other_texts))):
        assert ours.dtype == theirs.dtype and (ours != theirs).nnz == 0


def test_training_on_the_bundled_seeds_makes_the_default_model(run: Run, tmp_path: Path, isolated_model: Path) -> None:
    """`classify train` with no sources and the default model are one model: tagging with the trained file as
    the default does not rebuild it."""
    result = run("train", "-m", str(isolated_model))
    assert result.exit_code == 0, result.stderr
    model = load_model(isolated_model)
    assert model.meta.training_data.source == "bundled seeds" and model.meta.training_data.seeds_sha256
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0])
    before = isolated_model.stat().st_mtime_ns
    tagged = run("tag", str(story), "-f", "jsonl")
    assert tagged.exit_code == 0 and "Building" not in tagged.stderr
    assert isolated_model.stat().st_mtime_ns == before


def _check_set(path: Path) -> Path:
    """Labelled items of another kind than the seeds: one or two sentences, several topics each."""
    rows = [{"id": "c1", "text": f"{SECURITY[1]} {MIDDLE_EAST[0]}", "labels": ["security", "middle-east"]},
            {"id": "c2", "text": DIPLOMACY[2], "labels": ["diplomacy"], "unknown_labels": ["security"]},
            {"id": "c3", "text": OTHER[5], "labels": []},
            {"id": "c4", "text": OTHER[0], "labels": []}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_check_scores_another_source_beside_cross_validation_and_stores_both(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    check = _check_set(tmp_path / "other-source.jsonl")
    path = tmp_path / "m.npz"
    result = run("train", str(seeds_dir), "-m", str(path), "--check", str(check))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "cross-validated" in result.stderr and "on --check" in result.stderr and "Brier" in result.stderr
    meta = load_model(path).meta
    stored = meta.cross_source
    assert stored is not None and stored.data == str(check) and stored.articles == 4
    assert stored.metrics["security"]["positives"] == 1 and stored.metrics["security"]["negatives"] == 2
    assert stored.metrics["diplomacy"]["positives"] == 1 and stored.metrics["diplomacy"]["negatives"] == 3
    assert set(stored.metrics) == set(meta.cross_validation.metrics)
    evaluated = json.loads(run("evaluate", str(check), "-m", str(path), "-f", "json").stdout)["metrics"]
    assert stored.metrics == evaluated  # the same figures `evaluate` gives for that data


def test_check_data_without_labels_fails_before_training(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    check = tmp_path / "plain.jsonl"
    check.write_text(json.dumps({"id": "p1", "text": OTHER[0]}) + "\n")
    path = tmp_path / "m.npz"
    result = run("train", str(seeds_dir), "-m", str(path), "--check", str(check))
    assert result.exit_code == 1
    assert f"{check}:1: record has no `labels`" in result.stderr
    assert "Training on" not in result.stderr and not path.exists()


def test_editing_a_seed_rebuilds_the_default_model(run: Run, seeds_dir: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import classify.default_model

    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    monkeypatch.setattr(classify.default_model, "bundled_seeds_dir", lambda: seeds)
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0])
    assert "Building the default model" in run("tag", str(story)).stderr
    assert "Building" not in run("tag", str(story)).stderr
    with (seeds / "sec-0.txt").open("a") as seed:
        seed.write("Armoured columns and artillery moved to the front.\n")
    assert "Building the default model" in run("tag", str(story)).stderr


def test_seeds_joining_adds_exactly_the_bundled_seeds_and_says_so(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    """--with-seeds is the same model as training on the user's data plus the bundled seed folder, and differs
    from --no-seeds only in what it learned from: the same topics, its record naming the seeds."""
    from classify.default_model import bundled_seeds_dir, seeds_fingerprint

    joined, alone, by_hand = tmp_path / "joined.npz", tmp_path / "alone.npz", tmp_path / "by-hand.npz"
    result = run("train", str(seeds_dir), "-m", str(joined), "--with-seeds")
    assert result.exit_code == 0, result.stderr
    seeds = len(list(bundled_seeds_dir().glob("*.txt")))
    assert f"Training on 24 articles from {seeds_dir} and {seeds} bundled seeds" in result.stderr
    assert run("train", str(seeds_dir), "-m", str(alone), "--no-seeds").exit_code == 0
    assert run("train", str(seeds_dir), str(bundled_seeds_dir()), "-m", str(by_hand), "--no-seeds").exit_code == 0
    with_seeds, without, explicit = load_model(joined), load_model(alone), load_model(by_hand)
    assert with_seeds.topics == without.topics == explicit.topics
    assert np.array_equal(with_seeds.coef, explicit.coef) and np.array_equal(with_seeds.thresholds, explicit.thresholds)
    assert with_seeds.vocabulary.terms() == explicit.vocabulary.terms()
    assert with_seeds.meta.training_data.sha256 == explicit.meta.training_data.sha256
    data = with_seeds.meta.training_data
    assert data.articles == without.meta.training_data.articles + seeds
    assert data.source == f"{seeds_dir} + bundled seeds" and data.seeds_sha256 == seeds_fingerprint(bundled_seeds_dir())
    assert with_seeds.meta.params == {**without.meta.params, "seeds_joined": seeds}
    assert without.meta.training_data.seeds_sha256 is None and "seeds_joined" not in without.meta.params
    assert not np.array_equal(with_seeds.thresholds, without.thresholds)


def test_seeds_join_only_for_topics_they_share(tmp_path: Path) -> None:
    """Seeds keep the user's topics only: a topic the seeds lack is unknown on them, theirs the user lacks is dropped."""
    from classify.default_model import joinable_seeds

    assert joinable_seeds({"football", "tennis"}) == []
    seeds = joinable_seeds({"security", "sport"})
    assert seeds and all(seed.labels <= {"security"} for seed in seeds)
    assert all("sport" in seed.unknown_labels and "diplomacy" not in seed.unknown_labels for seed in seeds)
    assert any(seed.labels == {"security"} for seed in seeds) and any(not seed.labels for seed in seeds)


def test_seeds_do_not_join_data_on_other_topics(run: Run, tmp_path: Path) -> None:
    sport = write_sport_seeds(tmp_path / "sport")
    result = run("train", str(sport), "-m", str(tmp_path / "sport.npz"), "--with-seeds")
    assert result.exit_code == 0, result.stderr
    assert "the bundled seeds share none of its topics" in result.stderr
    model = load_model(tmp_path / "sport.npz")
    assert model.topics == ["football", "tennis"] and model.meta.training_data.articles == 6


def test_seeds_join_by_default(run: Run, seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from classify import default_model

    monkeypatch.setattr(default_model, "JOIN_SEEDS", True)  # as shipped; the suite turns it off (conftest)
    path = tmp_path / "m.npz"
    result = run("train", str(seeds_dir), "-m", str(path))
    assert result.exit_code == 0, result.stderr
    assert "bundled seeds" in result.stderr
    assert load_model(path).meta.params["seeds_joined"] > 0
    assert run("train", str(seeds_dir), "-m", str(tmp_path / "alone.npz"), "--no-seeds").exit_code == 0
    assert "seeds_joined" not in load_model(tmp_path / "alone.npz").meta.params


def test_thresholds_are_fitted_on_the_leads_and_metrics_on_full_texts_and_leads(seeds_dir: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A story from another outlet or a short item scores lower than the full seeds it resembles;
    the leads' scores show that shift in-domain, so the thresholds come from them alone."""
    from classify import training
    from classify.inputs import iter_articles

    articles = list(iter_articles([str(seeds_dir)]))
    seen: list[int] = []

    def spy(scores: np.ndarray, positive: np.ndarray, plateau: float = training.PLATEAU) -> float:
        seen.append(len(scores))
        return stable_threshold(scores, positive, plateau)

    monkeypatch.setattr(training, "stable_threshold", spy)
    model = training.train(articles)
    assert seen == [sum(t not in a.unknown_labels for a in articles) for t in model.topics]
    cv = model.meta.cross_validation.metrics
    assert all(0 < cv[t]["threshold"] < 1 and 0 <= cv[t]["f1"] <= 1 for t in model.topics)

    seen.clear()
    monkeypatch.setattr(training, "LEAD_WORDS", 0)  # no leads: the full texts set the thresholds
    assert len(training.train(articles).topics) == len(seen) == len(model.topics)
