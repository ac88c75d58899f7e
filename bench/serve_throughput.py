"""`classify serve`: requests per second and latency of POST /api/tag, against the library call it wraps.

    .venv/bin/python bench/serve_throughput.py [--rounds 3]

The server is `classify serve --port 0 -m MODEL` in its own process, as a user starts it; clients are
threads in this process, each on one keep-alive loopback connection, all sending the same request.
Two bodies: one article (the shared seed article) and 100 allsides articles, each from 1 client
and from 32 at once. The baseline is what the endpoint runs, called in this process on the same
articles: `classify.tagging.tag` plus `record(explain=True)`, one call after another. The ratio is
the server's requests/s over the baseline's calls/s; 32 clients share the same 2 cores (and the
server's one process), so they can add throughput only where the library call leaves a core idle.
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from _harness import CLASSIFY, SEED_ARTICLE, allsides_records, machine_note, parser, table, trained_model, workdir

READY = re.compile(r"Serving on http://127\.0\.0\.1:(\d+)/")


@dataclass
class Load:
    """What a batch of requests (or calls) measured: latencies in seconds, wall time, unexpected statuses."""

    latencies: list[float]
    wall: float
    failures: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def server(model: Path, *args: str) -> Iterator[tuple[int, int]]:
    """`classify serve` on a free port; yields (port, pid)."""
    process = subprocess.Popen([*CLASSIFY, "serve", "--port", "0", "-m", str(model), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while not (match := READY.search(line := process.stderr.readline())):
            if not line:
                raise SystemExit("classify serve stopped before it was ready")
        threading.Thread(target=process.stderr.read, daemon=True).start()  # keep draining its log
        yield int(match.group(1)), process.pid
    finally:
        process.terminate()
        process.wait(30)


def post(connection: http.client.HTTPConnection, path: str, body: bytes) -> tuple[int, float]:
    start = time.perf_counter()
    connection.request("POST", path, body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status, time.perf_counter() - start


def load(port: int, requests: Callable[[int], Iterator[tuple[str, bytes, int]]], clients: int) -> Load:
    """`clients` threads, each sending what `requests(client_number)` yields, all starting together."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        mine, bad = [], 0
        start.wait()
        for path, body, expected in requests(number):
            status, seconds = post(connection, path, body)
            mine.append(seconds)
            bad += status != expected
        connection.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load(latencies, time.perf_counter() - began, failures[0])


def repeat(body: bytes, count: int) -> Callable[[int], Iterator[tuple[str, bytes, int]]]:
    """Each client sends the same /api/tag body `count` times."""
    return lambda number: iter([("/api/tag", body, 200)] * count)


def library(call: Callable[[], object], times: int) -> Load:
    latencies = []
    began = time.perf_counter()
    for _ in range(times):
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return Load(latencies, time.perf_counter() - began)


def bodies() -> dict[str, list[dict]]:
    seed = {"id": SEED_ARTICLE.name, "text": SEED_ARTICLE.read_text(encoding="utf-8")}
    hundred = [{"id": r["id"], "title": r.get("title") or "", "text": r["text"]} for r in islice(allsides_records(), 100)]
    return {"1 article": [seed], "100 articles": hundred}


def main() -> None:
    arguments = parser(__doc__.split("\n")[0])
    arguments.add_argument("--rounds", type=int, default=3, help="rounds of (library, 1 client, 32 clients); medians")
    options = arguments.parse_args()
    from classify.inputs.records import record_to_article
    from classify.model_file import load_model
    from classify.tagging import tag

    model_path = trained_model(workdir(options.workdir), "seeds")
    model = load_model(model_path)
    requests_per_case = {"1 article": 640, "100 articles": 64}
    rows = []
    with server(model_path) as (port, _):
        for name, records in bodies().items():
            articles = [record_to_article(r, str(i)) for i, r in enumerate(records)]
            body = json.dumps({"articles": records}).encode()
            total = requests_per_case[name]
            results: dict[str, list[Load]] = {"library": [], "1 client": [], "32 clients": []}
            load(port, repeat(body, 5), 1)  # warm-up: imports, the first vectorizer

            def call(articles: list = articles) -> object:
                return [item.record(explain=True) for item in tag(articles, model)]

            for round_ in range(options.rounds):
                results["library"].append(library(call, total))
                results["1 client"].append(load(port, repeat(body, total), 1))
                results["32 clients"].append(load(port, repeat(body, total // 32), 32))
                print(f"  {name} round {round_ + 1}/{options.rounds}: " + ", ".join(
                    f"{case} {series[-1].rate:.1f}/s" for case, series in results.items()), flush=True)
            base = statistics.median(r.rate for r in results["library"])
            for case, series in results.items():
                rate = statistics.median(r.rate for r in series)
                p50 = statistics.median(r.percentile(0.5) for r in series) * 1000
                p95 = statistics.median(r.percentile(0.95) for r in series) * 1000
                failed = sum(r.failures for r in series)
                rows.append([name, case, f"{rate:.1f}", f"{p50:.1f}", f"{p95:.1f}", f"{rate / base:.2f}×", str(failed)])
    print()
    print(table(rows, ["body", "who calls", "per second", "p50 ms", "p95 ms", "vs library", "errors"]))
    print(f"\nmodel: {model_path.name} (bundled seeds, {len(model.terms):,} terms); {machine_note()}")


if __name__ == "__main__":
    main()
