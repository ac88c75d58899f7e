"""Tagging without scikit-learn: the numpy path must give exactly what scikit-learn gives.

Features bit for bit equal to `TfidfVectorizer.transform`, scores bit for bit equal to scipy's
sparse product + sigmoid, and the same JSONL bytes, on text written to be awkward: accents in
both Unicode forms, curly quotes, CJK, emoji with modifiers, ligatures, very long words, n-grams
across stop words, lone surrogates. bench/lean_exactness.py checks the same on every real
article we have.
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify import vocabulary as vocabulary_module
from classify.analyzer import FIRST_COMBINING, strip_accents_ascii, strip_accents_unicode
from classify.articles import Article
from classify.model import Features, TopicModel, sigmoid
from classify.model_file import load_model
from classify.outputs import write_records
from classify.tagging import tag_batch
from classify.training import train
from classify.vocabulary import Vocabulary
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY

if TYPE_CHECKING:
    from scipy.sparse import csr_array

AWKWARD = [
    "Café au lait, naïve résumé: the Ångström déjà-vu of Zürich and São Paulo.",
    "Cafe\u0301 au lait, nai\u0308ve re\u0301sume\u0301 (decomposed accents) in Zu\u0308rich.",
    "\u201cWe will respond,\u201d the minister said; \u2018never\u2019 again \u2014 it\u2019s over.",
    "東京で首脳会談が開かれ、外務大臣は北京とソウルを訪問した。",
    "Troops 👍🏽 advanced 🇺🇸🇮🇷 near the border 👩‍👩‍👧 as drones 🚀 flew.",
    "The ﬁnal ﬂight of the ＦＵＬＬＷＩＤＴＨ ambassador: ½ of Ⅻ officials, ²³ and ℌ.",
    "İstanbul and DİYARBAKIR; Straße, STRASSE; ΟΔΥΣΣΕΥΣ and ὀδυσσεύς; Ǆ and ǅ.",
    "مفاوضات السلام في الرياض وطهران بين الدبلوماسيين الإيرانيين والسعوديين",
    "שלום ירושלים, עַם יִשְׂרָאֵל and नमस्ते दिल्ली के राजनयिक",
    "military" * 400 + " offensive " + "x" * 5000,
    "The state of the union and the art of the deal: talks of the envoys at the summit of the states.",
    "snake_case_words, CamelCaseWords, numbers 2020 2,000 and 3.5, don't won't o'clock",
    "lone surrogate \ud800 here, NUL \x00 there, tabs\tand\nnewlines\r\nand \u200bzero\u200dwidth joiners",
]


def written_articles() -> list[Article]:
    """Labelled articles made of the conftest sentences and the awkward texts, so the model's vocabulary has
    their terms (a term a model does not know cannot show a difference)."""
    groups = [("security", SECURITY), ("diplomacy", DIPLOMACY), ("middle-east", MIDDLE_EAST), ("none", OTHER)]
    articles = []
    for number in range(32):
        topic, texts = groups[number % len(groups)]
        body = f"{texts[number % len(texts)]} {AWKWARD[number % len(AWKWARD)]} {AWKWARD[(number * 5 + 1) % len(AWKWARD)]}"
        labels = frozenset() if topic == "none" else frozenset({topic})
        articles.append(Article(id=f"w{number}", title=AWKWARD[(number * 3) % len(AWKWARD)][:30], text=body, labels=labels))
    return articles


@pytest.fixture(scope="module")
def awkward_model() -> TopicModel:
    return train(written_articles(), folds=2)


def train_with(settings: dict) -> TopicModel:
    """A model trained on the written articles with other vectorizer settings."""
    import unittest.mock

    from classify import training

    with unittest.mock.patch.dict(training.VECTORIZER_PARAMS, settings):
        return train(written_articles(), folds=2)


def reference(model: TopicModel) -> TopicModel:
    """The same model, tagged by scikit-learn (with a vocabulary of its own, since that builds the term dict)."""
    return dataclasses.replace(without_dict(model), lean=False, _vectorizer=None)


def without_dict(model: TopicModel) -> TopicModel:
    """The same model with a fresh vocabulary: no term dict built, so a few texts use the hash index."""
    vocabulary = model.vocabulary
    return dataclasses.replace(model, vocabulary=Vocabulary(vocabulary.text, vocabulary.hashes, vocabulary.columns))


def assert_same_features(ours: Features, theirs: csr_array) -> None:
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert ours.data.dtype == theirs.data.dtype == np.float32
    assert np.array_equal(ours.data.view(np.uint32), theirs.data.view(np.uint32))  # bit for bit


def texts_to_check() -> list[str]:
    texts = [*AWKWARD, "", "   ", "the and of it is", "zzz qqq unknownword"]
    texts += [a.full_text for a in written_articles()]
    return [*texts, " ".join(AWKWARD)]


@pytest.mark.parametrize("lookup", ["hash index", "n-gram index", "dict"])
def test_features_and_scores_equal_scikit_learn_bit_for_bit(awkward_model: TopicModel, lookup: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A few texts use the hash index; batches the n-gram index, or the dict where its keys would not fit."""
    model = without_dict(awkward_model)
    if lookup == "dict":
        def too_wide(*args: object) -> None:
            raise OverflowError
        monkeypatch.setattr(vocabulary_module.NgramIndex, "__init__", too_wide)
    if lookup != "hash index":
        model.vocabulary.for_batches(2)
    texts = texts_to_check()
    expected = reference(model).sklearn_vectorizer().transform(texts)
    ours = model.transform(texts)
    batch = model.vocabulary._batch
    assert (batch is None, isinstance(batch, vocabulary_module.NgramIndex)) == (lookup == "hash index", lookup == "n-gram index")
    assert_same_features(ours, expected)
    assert expected.nnz > 500  # the awkward terms are in the vocabulary and found
    scores = sigmoid(np.asarray(expected @ model.coef.T) + model.intercept)  # scipy's sparse product
    assert np.array_equal(model.probabilities(ours).view(np.uint32), scores.view(np.uint32))


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 3), (2, 3), (3, 3)])
def test_other_n_gram_ranges_equal_scikit_learn(ngram_range: tuple[int, int]) -> None:
    """The n-gram index and the hash index for settings training may write (n-grams of up to three words)."""
    from classify import training

    settings = {**training.VECTORIZER_PARAMS, "ngram_range": list(ngram_range)}
    model = train_with(settings)
    texts = texts_to_check()
    expected = reference(model).sklearn_vectorizer().transform(texts)
    assert_same_features(without_dict(model).transform(texts[:5]), expected[:5])
    batched = without_dict(model)
    batched.vocabulary.for_batches(ngram_range[1])
    assert_same_features(batched.transform(texts), expected)


def test_each_text_alone_equals_scikit_learn(awkward_model: TopicModel) -> None:
    vectorizer = reference(awkward_model).sklearn_vectorizer()
    for text in texts_to_check():
        assert_same_features(without_dict(awkward_model).transform([text]), vectorizer.transform([text]))


def jsonl(model: TopicModel, articles: list[Article]) -> str:
    stream = io.StringIO()
    write_records((item.record(explain=True) for item in tag_batch(articles, model)), "jsonl", stream)
    return stream.getvalue()


def test_records_are_byte_identical_to_the_scikit_learn_path(awkward_model: TopicModel) -> None:
    articles = [Article(id=f"t{n}", text=text) for n, text in enumerate(texts_to_check())]
    lean = jsonl(without_dict(awkward_model), articles)
    assert lean == jsonl(reference(awkward_model), articles)
    assert '"reasons": {"' in lean  # some tags, with their terms, were compared


def test_the_saved_model_tags_as_the_trained_one(awkward_model: TopicModel, tmp_path: Path) -> None:
    from classify.model_file import save_model

    path = tmp_path / "awkward.npz"
    save_model(awkward_model, path)
    loaded = load_model(path)
    assert loaded.lean and loaded.settings == awkward_model.settings and loaded.terms == awkward_model.terms
    articles = [Article(id=f"t{n}", text=text) for n, text in enumerate(texts_to_check())]
    assert jsonl(loaded, articles) == jsonl(reference(awkward_model), articles)


def test_no_code_point_before_the_first_combining_one_is_combining() -> None:
    """The fast accent stripping only asks about code points from FIRST_COMBINING up."""
    assert not any(unicodedata.combining(chr(code)) for code in range(FIRST_COMBINING))
    assert unicodedata.combining(chr(FIRST_COMBINING))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80))
def test_accent_stripping_equals_scikit_learn(text: str) -> None:
    from sklearn.feature_extraction.text import strip_accents_ascii as theirs_ascii
    from sklearn.feature_extraction.text import strip_accents_unicode as theirs_unicode

    assert strip_accents_unicode(text) == theirs_unicode(text)
    assert strip_accents_ascii(text) == theirs_ascii(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80)
       | st.lists(st.sampled_from(["ab", "a", "_", "é", "1", " ", "-", "\u0301", "日本", "x\u200dy", "'"])).map("".join))
def test_the_token_pattern_finds_what_scikit_learns_finds(text: str) -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    from classify.analyzer import TOKENS

    assert TOKENS.findall(text) == CountVectorizer().build_tokenizer()(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(" ".join(AWKWARD + SECURITY + DIPLOMACY).split()) | st.text(max_size=12), max_size=40))
def test_any_mix_of_known_and_random_words_equals_scikit_learn(awkward_model: TopicModel, words: list[str]) -> None:
    text = " ".join(words)
    expected = reference(awkward_model).sklearn_vectorizer().transform([text])
    assert_same_features(without_dict(awkward_model).transform([text]), expected)


def test_lookups_survive_crc32_collisions() -> None:
    """`plumless` and `buckeroo` share a CRC-32; the index must tell them apart by their text."""
    import zlib

    assert zlib.crc32(b"plumless") == zlib.crc32(b"buckeroo")
    vocabulary = Vocabulary.from_terms(["alpha", "buckeroo", "plumless", "zulu"])
    assert vocabulary.lookup(["plumless", "buckeroo", "zulu", "missing"]) == {"plumless": 2, "buckeroo": 1, "zulu": 3}
    index = vocabulary.for_batches(1)
    assert index.occurrences([["plumless", "buckeroo", "zulu", "missing"]], 1, 1)[1].tolist() == [2, 1, 3]


def imported_by(*argv: str) -> set[str]:
    """Top-level packages a fresh `classify ARGV` process imports."""
    code = ("import sys\nfrom classify.cli import app\ntry:\n    app(sys.argv[1:], prog_name='classify')\n"
            "except SystemExit:\n    pass\nprint(' '.join(sorted({m.partition('.')[0] for m in sys.modules})), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120)
    return set(result.stderr.splitlines()[-1].split())


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_tagging_imports_neither_scikit_learn_nor_scipy_nor_rich(model_path: Path, tmp_path: Path, fmt: str) -> None:
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0])
    modules = imported_by("tag", str(story), "-m", str(model_path), "-f", fmt)
    assert "numpy" in modules and "classify" in modules
    assert not modules & {"sklearn", "scipy", "rich", "sumy", "nltk", "joblib", "wordllama"}


def test_the_table_imports_rich_but_not_scikit_learn(model_path: Path, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0])
    modules = imported_by("tag", str(story), "-m", str(model_path))
    assert "rich" in modules and not modules & {"sklearn", "scipy"}


def test_help_imports_no_numpy(model_path: Path) -> None:
    assert not imported_by("--help") & {"numpy", "sklearn", "scipy", "sumy", "nltk"}


def test_workers_tag_without_importing_scikit_learn(model_path: Path, workers_used: list[int]) -> None:
    """`--jobs 2` workers load the model and tag with numpy alone (a fresh pool, so no earlier test's imports)."""
    import os

    from joblib.externals.loky import get_reusable_executor

    from classify.parallel import Batching, Runner
    from classify.tagging import prepare_model
    from tests.worker_probe import tag_and_report

    get_reusable_executor(max_workers=1).shutdown(wait=True, kill_workers=True)
    model = load_model(model_path)
    articles = [Article(id=str(n), text=(SECURITY + DIPLOMACY)[n % 8]) for n in range(60)]
    results = list(Runner(jobs=2).map(tag_and_report, articles, Batching(size=5, parallel_from=1), shared=(model,),
                                      prepare=prepare_model))
    expected = [item.labels for item in tag_batch(articles, model)]
    assert [labels for _, labels, _ in results] == expected
    in_workers = [heavy for pid, _, heavy in results if pid != os.getpid()]
    assert in_workers and workers_used[0] > 0
    assert all(heavy == [] for heavy in in_workers)
