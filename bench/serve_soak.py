"""`classify serve` under a few thousand mixed requests: no failures, and memory that stays flat.

    .venv/bin/python bench/serve_soak.py [--requests 4000] [--clients 8]

One `classify serve --max-body 1MB` process; 8 client threads on keep-alive connections send, in
turn: /api/tag with one allsides article, /api/summarize with one, /api/tag with ten, and requests
the server must refuse (422 bad length, 400 no text, 415 wrong type, 413 over the limit). Every
article is a different one (cycling through 1,000), so nothing is served from a warm repeat. The
server's resident memory (VmRSS) is read after a warm-up of 400 requests and after every further
quarter; "flat" means the last reading is within a few per cent of the first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from _harness import allsides_records, machine_note, parser, table, trained_model, workdir
from serve_throughput import load, server

OVER_LIMIT = b'{"text": "' + b"x" * (2**20 + 10) + b'"}'


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS for the server process")


def mixed(articles: list[dict], count: int, offset: int) -> Iterator[tuple[str, bytes, int]]:
    """`count` requests, a mix of work and refusals, each expected status with it."""
    for i in range(offset, offset + count):
        article = articles[i % len(articles)]
        kind = i % 10
        if kind < 4:
            yield "/api/tag", json.dumps(article).encode(), 200
        elif kind < 7:
            yield "/api/summarize", json.dumps({**article, "sentences": 3}).encode(), 200
        elif kind == 7:
            batch = [articles[(i + j) % len(articles)] for j in range(10)]
            yield "/api/tag", json.dumps({"articles": batch}).encode(), 200
        elif kind == 8:
            yield "/api/summarize", json.dumps({**article, "sentences": 0}).encode(), 422
        elif i % 100 == 9:
            yield "/api/tag", OVER_LIMIT, 413
        else:
            yield "/api/tag", json.dumps({"title": "no text"}).encode(), 400


def main() -> None:
    arguments = parser(__doc__.split("\n")[0])
    arguments.add_argument("--requests", type=int, default=4000)
    arguments.add_argument("--clients", type=int, default=8)
    options = arguments.parse_args()
    model = trained_model(workdir(options.workdir), "seeds")
    articles = [{"id": r["id"], "title": r.get("title") or "", "text": r["text"]} for r in islice(allsides_records(), 1000)]
    clients, quarter = options.clients, options.requests // 4
    per_client = quarter // clients
    rows = []
    failures = 0
    with server(model, "--max-body", "1MB") as (port, pid):
        load(port, lambda n: mixed(articles, 400 // clients, n * 1000), clients)  # warm-up
        first = rss_mb(pid)
        rows.append(["after warm-up (400)", f"{first:.1f}", "", "", ""])
        sent = 0
        for part in range(4):
            result = load(port, lambda n, part=part: mixed(articles, per_client, 50_000 * part + n * per_client), clients)
            sent += len(result.latencies)
            failures += result.failures
            memory = rss_mb(pid)
            rows.append([f"after {sent:,} more", f"{memory:.1f}", f"{memory - first:+.1f}", f"{result.rate:.0f}",
                         str(result.failures)])
    print(table(rows, ["server", "RSS MB", "change MB", "requests/s", "unexpected statuses"]))
    last = float(rows[-1][1])
    print(f"\n{sent:,} requests from {clients} clients, {failures} with an unexpected status; "
          f"RSS after/before warm-up readings: {last / first:.3f}×")
    print(machine_note())


if __name__ == "__main__":
    main()
