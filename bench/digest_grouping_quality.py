"""Story grouping quality: pairwise precision and recall on a set with known groups, built from allsides.

    .venv/bin/python bench/digest_grouping_quality.py [--base 1000] [--variants 400] [--seed 1]

How the set is built (nothing here is a real republication; the variants are made by this script):
- `--base` allsides articles drawn at random (seed `--seed`), plus every allsides article whose first
  200 characters it shares with another one (same-outlet page furniture such as The Hill's inline link
  text or The Flip Side's header: different stories that look alike at the top, the hard negatives);
- for `--variants` of the drawn articles, one made-up second version each, cycling through four kinds:
  `trim`   the first 60-90 % of the paragraphs (a wire story with its end cut),
  `trim40` the first 40-60 % of the paragraphs,
  `edit`   the lede and one middle paragraph dropped, the rest cut to 70-100 %, and a credit line and
           a newsletter line of our own added (another outlet's edit of the same copy),
  `words`  every 12th word replaced and the end cut to 80-100 % (light rewording);
  every variant gets a new headline (grouping reads the text, not the headline).
Known groups: an article and its variant. Every other pair is a negative, so two allsides articles that
are in truth the same story would count against precision (the false pairs are printed to check).

Pairwise precision = correct pairs among the pairs put in one story; recall = known pairs found. It runs
the grouping of classify.stories at several thresholds, one MinHash of the whole text (the first method
tried) and TF-IDF cosine (all pairs, scikit-learn) for comparison; then the chosen setting on all 6,599
allsides articles, printing the groups it makes there for a person to judge.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from itertools import combinations

from _harness import allsides_records, parser, table

from classify import stories

KINDS = ("trim", "trim40", "edit", "words")
CREDIT = "Reporting by the newsroom staff; editing by the overnight desk."
NEWSLETTER = "Sign up for our morning briefing to get the day's top stories in your inbox."


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def variant(text: str, kind: str, rng: random.Random) -> str:
    parts = paragraphs(text)
    if kind == "trim":
        return "\n\n".join(parts[: max(2, round(len(parts) * rng.uniform(0.6, 0.9)))])
    if kind == "trim40":
        return "\n\n".join(parts[: max(2, round(len(parts) * rng.uniform(0.4, 0.6)))])
    if kind == "edit":
        body = parts[1:]
        if len(body) > 3:
            del body[rng.randrange(1, len(body) - 1)]
        body = body[: max(2, round(len(body) * rng.uniform(0.7, 1.0)))]
        return "\n\n".join([*body, CREDIT, NEWSLETTER])
    words = "\n\n".join(parts[: max(2, round(len(parts) * rng.uniform(0.8, 1.0)))]).split(" ")
    fillers = ["reportedly", "officials", "also", "meanwhile", "further"]
    return " ".join(rng.choice(fillers) if i % 12 == 11 else word for i, word in enumerate(words))


def build_set(base: int, variants: int, seed: int) -> tuple[list[str], list[int], list[str], list[dict]]:
    """Texts, the known group of each, the kind of each (base or a variant kind), and the source records."""
    records = [r for r in allsides_records() if len(paragraphs(r["text"])) >= 4]
    rng = random.Random(seed)
    drawn = rng.sample(range(len(records)), base)
    by_opening = defaultdict(list)
    for i, record in enumerate(records):
        by_opening[record["text"][:200]].append(i)
    lookalikes = [i for group in by_opening.values() if len(group) > 1 for i in group]
    chosen = list(dict.fromkeys(drawn + lookalikes))
    texts, groups, kinds, sources = [], [], [], []
    for number, i in enumerate(chosen):
        texts.append(records[i]["text"])
        groups.append(number)
        kinds.append("base")
        sources.append(records[i])
    for n, number in enumerate(range(min(variants, len(drawn)))):
        kind = KINDS[n % len(KINDS)]
        texts.append(variant(records[chosen[number]]["text"], kind, rng))
        groups.append(number)
        kinds.append(kind)
        sources.append(records[chosen[number]])
    return texts, groups, kinds, sources


def pairs_of(groups: list[list[int]]) -> set[tuple[int, int]]:
    return {pair for members in groups for pair in combinations(sorted(members), 2)}


def score(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    correct = len(predicted & truth)
    return (correct / len(predicted) if predicted else 1.0), (correct / len(truth) if truth else 1.0)


def union_groups(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    sets = stories.DisjointSets(n)
    for i, j in pairs:
        sets.join(i, j)
    return sets.groups()


def whole_text_groups(texts: list[str], threshold: float) -> list[list[int]]:
    """The first method tried: one MinHash of the whole text, LSH at `threshold` (3-word shingles)."""
    from datasketch import LeanMinHash, MinHashLSH

    index = MinHashLSH(threshold=threshold, num_perm=stories.NUM_PERM)
    rows = [stories.signature(text)[1] for text in texts]
    pairs = []
    for i, row in enumerate(rows):
        minhash = LeanMinHash(seed=stories.SEED, hashvalues=row, scheme=stories.SCHEME)
        pairs += [(i, j) for j in index.query(minhash) if stories.similarity(row, rows[j]) >= threshold]
        index.insert(i, minhash)
    return union_groups(len(texts), pairs)


def tfidf_groups(texts: list[str], threshold: float) -> list[list[int]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    similar = (matrix @ matrix.T).tocoo()
    return union_groups(len(texts), [(i, j) for i, j, v in zip(similar.row, similar.col, similar.data, strict=True)
                                     if i < j and v >= threshold])


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--base", type=int, default=1000)
    arguments.add_argument("--variants", type=int, default=400)
    arguments.add_argument("--seed", type=int, default=1)
    arguments.add_argument("--skip-allsides", action="store_true", help="skip the run on all 6,599 articles")
    options = arguments.parse_args()
    texts, known, kinds, sources = build_set(options.base, options.variants, options.seed)
    truth_groups: dict[int, list[int]] = defaultdict(list)
    for i, group in enumerate(known):
        truth_groups[group].append(i)
    truth = pairs_of(list(truth_groups.values()))
    print(f"set: {len(texts)} texts ({kinds.count('base')} allsides articles, {len(texts) - kinds.count('base')} made-up "
          f"variants), {len(truth)} known pairs", flush=True)
    rows = []
    found_at: dict[tuple[float, float], set[tuple[int, int]]] = {}

    def add_row(method: str, setting: str, predicted: set[tuple[int, int]]) -> None:
        precision, recall = score(predicted, truth)
        by_kind = {kind: score(predicted, {p for p in truth if kinds[p[1]] == kind})[1] for kind in KINDS}
        rows.append([method, setting, f"{precision:.3f}", f"{recall:.3f}", *(f"{by_kind[kind]:.2f}" for kind in KINDS)])

    for threshold in (0.3, 0.5):
        add_row("minhash, whole text only", f"{threshold}", pairs_of(whole_text_groups(texts, threshold)))
    for threshold in (0.5, 0.6):
        add_row("tf-idf cosine, all pairs", f"{threshold}", pairs_of(tfidf_groups(texts, threshold)))
    started = time.perf_counter()
    signatures = [stories.signature(text) for text in texts]
    print(f"signatures: {time.perf_counter() - started:.1f} s", flush=True)
    for lead in (0.3, 0.4, 0.5):
        for body in (0.2, 0.25, 0.3, 0.4):
            found_at[(lead, body)] = pairs_of(stories.group(signatures, lead, body))
            add_row("minhash, opening and whole text", f"{lead} and {body}", found_at[(lead, body)])
    print(table(rows, ["method", "threshold", "precision", "recall", *(f"R {kind}" for kind in KINDS)]))
    chosen = found_at[(stories.LEAD_THRESHOLD, stories.BODY_THRESHOLD)]
    wrong, missed = sorted(chosen - truth), sorted(truth - chosen)
    print(f"\nchosen (openings {stories.LEAD_THRESHOLD}, whole texts {stories.BODY_THRESHOLD}): {len(wrong)} false pairs, "
          f"{len(missed)} missed")
    for label, pairs in (("false", wrong), ("missed", missed)):
        for i, j in pairs[:10]:
            print(f"  {label}: {kinds[i]}/{kinds[j]} {sources[i]['meta']['outlet']}: {sources[i]['title'][:50]!r} ~ "
                  f"{sources[j]['meta']['outlet']}: {sources[j]['title'][:50]!r} (openings "
                  f"{stories.similarity(signatures[i][0], signatures[j][0]):.2f}, whole "
                  f"{stories.similarity(signatures[i][1], signatures[j][1]):.2f})")
    if not options.skip_allsides:
        everything = list(allsides_records())
        started = time.perf_counter()
        groups = stories.group([stories.signature(r["text"]) for r in everything])
        merged = [g for g in groups if len(g) > 1]
        print(f"\nall {len(everything)} allsides articles: {len(groups)} stories, {len(merged)} with more than one article "
              f"({sum(len(g) for g in merged)} articles), {time.perf_counter() - started:.1f} s")
        for members in merged[:40]:
            print("  " + " | ".join(f"{everything[i]['meta']['outlet'][:18]}: {everything[i]['title'][:50]}"
                                    for i in members[:4]))


if __name__ == "__main__":
    main()
