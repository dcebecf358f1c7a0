"""make bench: cost and speed of cms-sync, measured side by side in one run.

1. publish cost against a real local WordPress: HTTP requests and seconds for 5 and 40
   articles, first run (creates) and second run (no-op), next to a naive per-article sync
   (one GET per article, what tools without bulk reads do). Targets: a no-op run's requests
   do not grow with the number of articles; no-op is several times cheaper than naive.
2. preview reload latency: save -> the page's long-poll answers. Target: under 0.5 s.
3. check + render of 20 vs 200 articles: seconds and peak memory per article. Target: cost
   per article stays flat (ratio near 1).
"""

from __future__ import annotations

import importlib
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

import requests

from cms_sync.build import write_render
from cms_sync.config import load_config
from cms_sync.credentials import Credentials
from cms_sync.preview import PreviewServer
from cms_sync.project import load_project
from cms_sync.publish import publish as run_publish
from cms_sync.wordpress import Client

REPO = Path(__file__).resolve().parent.parent


def make_project(root: Path, count: int, prefix: str) -> Path:
    (root / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "articles" / "comment-privacy-notice.bn.md", root / "articles")
    body = (REPO / "articles" / "01-ecommerce-manager-competencies.md").read_text("utf-8")
    body = body.split("---\n", 2)[2]
    for n in range(1, count + 1):
        (root / "articles" / f"{n:03d}.md").write_text(
            f"---\ntitle: পর্ব {n}\nslug: {prefix}-{n}\nstatus: publish\nlang: bn\n"
            f"series: {{name: {prefix}, part: {n}}}\ncategories: [ইকমার্স]\n"
            f"comment_status: open\n---\n{body}",
            encoding="utf-8",
        )
    (root / "cms-sync.toml").write_text('default_lang = "bn"\n', encoding="utf-8")
    return root / "cms-sync.toml"


def publish(config_path: Path, creds: Credentials, url: str) -> tuple[int, float]:
    started = time.perf_counter()
    project, _ = load_project(load_config(config_path))
    client = Client(url, creds.user, creds.password)
    run_publish(project, client)
    return client.requests_made, time.perf_counter() - started


def naive(url: str, creds: Credentials, slugs: list[str]) -> tuple[int, float]:
    started = time.perf_counter()
    session = requests.Session()
    session.auth = (creds.user, creds.password)
    for slug in slugs:
        session.get(
            f"{url}/wp-json/wp/v2/posts",
            params={"slug": slug, "context": "edit", "status": "any"},
            timeout=30,
        )
    return len(slugs), time.perf_counter() - started


def bench_publish(work: Path) -> None:
    sys.path.append(str(REPO / "scripts"))  # the harness behind scripts/local_wordpress.py
    harness = importlib.import_module("wordpress_harness")
    state = harness.start(work / "wp")
    try:
        creds = Credentials(state["admin"]["user"], state["admin"]["app_password"])
        print("\n1. publish cost (real WordPress 6.1 on 127.0.0.1)")
        print(
            f"{'articles':>8} {'run':>8} {'requests':>9} {'seconds':>8} "
            f"{'naive req':>9} {'naive s':>8} {'req ratio':>9}"
        )
        noop = {}
        for count in (5, 40):
            config = make_project(work / f"p{count}", count, f"bench{count}")
            first = publish(config, creds, state["url"])
            second = publish(config, creds, state["url"])
            base = naive(state["url"], creds, [f"bench{count}-{n}" for n in range(1, count + 1)])
            noop[count] = second[0]
            for name, (reqs, secs) in (("create", first), ("no-op", second)):
                print(
                    f"{count:>8} {name:>8} {reqs:>9} {secs:>8.2f} {base[0]:>9} "
                    f"{base[1]:>8.2f} {reqs / base[0]:>9.2f}"
                )
        print(
            f"no-op requests for 40 vs 5 articles: {noop[40] / noop[5]:.2f}x "
            "(target: about 1x, not 8x)"
        )
    finally:
        harness.stop(work / "wp")


def bench_reload(work: Path) -> None:
    config = make_project(work / "reload", 3, "reload")
    article = config.parent / "articles" / "001.md"
    latencies = []
    with PreviewServer(config) as server:
        for n in range(15):
            version = server.preview.version
            started = time.perf_counter()
            article.write_text(article.read_text("utf-8") + f"\nedit {n}\n", encoding="utf-8")
            with urllib.request.urlopen(
                f"{server.url}__preview/wait?version={version}", timeout=10
            ) as answer:
                answer.read()
            latencies.append(time.perf_counter() - started)
    median, worst = statistics.median(latencies), max(latencies)
    print("\n2. preview reload latency (save -> page told to reload), 15 saves")
    print(
        f"median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms; "
        f"worst / 500 ms target = {worst / 0.5:.2f}"
    )


def bench_render(work: Path) -> None:
    print("\n3. check + render")
    print(f"{'articles':>8} {'seconds':>8} {'ms/article':>10} {'peak MiB':>9}")
    per = {}
    for count in (20, 200):
        config = make_project(work / f"r{count}", count, f"render{count}")
        started = time.perf_counter()
        project, _ = load_project(load_config(config))
        write_render(project, work / f"out{count}")
        seconds = time.perf_counter() - started
        tracemalloc.start()  # a second run: tracing slows Python down several times
        project, _ = load_project(load_config(config))
        write_render(project, work / f"out{count}")
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        per[count] = seconds / count
        print(f"{count:>8} {seconds:>8.2f} {per[count] * 1000:>10.1f} {peak:>9.1f}")
    print(f"time per article, 200 vs 20 articles: {per[200] / per[20]:.2f}x (target: about 1x)")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cms-sync-bench-") as tmp:
        work = Path(tmp)
        bench_render(work)
        bench_reload(work)
        bench_publish(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
