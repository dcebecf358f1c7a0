"""make bench: cms-sync beside a naive sync and the peer tools, against a real WordPress.

    .venv/bin/python benchmarks/bench.py [--sizes 100,1000] [--quick] [--out PATH]

For each N it generates N synthetic articles (corpus.py), then for each tool on an emptied
site runs the cases first publish, no-op publish, template change (cms-sync also with --jobs
4 once it has the option), notice edit, one-article edit, plan and pull, each as a child
process: requests and writes counted at the server
(php.log), wall time, peak memory (the child's max RSS).  The tools: cms-sync (its command
line), the naive sync (naive_sync.py: GET by slug + one write per article), m2w and
wordpress-markdown-blog-loader from PyPI (pip-installed into .bench-cache/).  Then cms-sync's
render against bare Python-Markdown, and the preview's reload latency.  Prints one markdown
table per N with the issue's targets and the machine, and writes it to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import corpus
import report
import requests
import tools
from measure import Result
from report import CASES, COLD_CASE, JOBS_CASE, SizeRun
from wp_site import Site

DEFAULT_OUT = Path(__file__).resolve().parent / "results.md"
DEFAULT_CACHE = corpus.REPO / ".bench-cache"
PEER_NOTES = {
    "m2w": (
        "m2w 2.7.2: driven by `m2w.up()` as its README's m2w.py does (REST mode, application "
        "password, legacy.json of md5s beside the folder). It finds an existing post by its "
        "title, so each file is named after its title; front matter `category`/`tag` instead of "
        "`categories`/`tags`; it has no notice and no templates, so the notice is inlined into "
        "every file and both edits touch every file. It never reads the site to decide (no-op = "
        "0 requests, blind to edits made there), lists posts anonymously (drafts invisible), "
        "leaves `images/x.png` links as they are (no upload) and a failed run retries 10 times "
        "then exits 0 (max_retries=1 here and its 'OOPS' line read as failure)."
    ),
    "wp-md": (
        "wordpress-markdown-blog-loader 1.8.6 (`wp-md posts upload --host H BLOG`, one folder with "
        "index.md per post, run for every folder in one process): .wordpress.ini with host, "
        "api_host, username; password in WP_APP_PASSWORD. Patched in memory: it only speaks "
        "https and compares hosts without the port. Categories must already exist (by slug: "
        "`uncategorized` used), `author` must name a WordPress user, and images are uploaded "
        "once per post (no sharing); no banner/og image (it needs fonts). Every run reads and "
        "rewrites every post and searches and downloads its images."
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,1000", help="article counts (default 100,1000)")
    parser.add_argument("--quick", action="store_true", help="N = 20 only, to develop")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown file to write")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="peers' venvs")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (logs)")
    parser.add_argument("--no-peers", action="store_true", help="skip m2w and wp-md")
    parser.add_argument(
        "--sample",
        type=int,
        default=100,
        metavar="N",
        help="run the naive sync and m2w on at most N articles and scale (default 100: "
        "the N = 100 run serves N = 1,000)",
    )
    parser.add_argument(
        "--wpmd-sample",
        type=int,
        default=50,
        metavar="N",
        help="the same for wp-md, which spends ~0.5 s per post per run (default 50)",
    )
    args = parser.parse_args(argv)
    sizes = [20] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    began = time.perf_counter()
    peers = _install_peers(args.cache) if not args.no_peers else {}
    with tempfile.TemporaryDirectory(prefix="cms-sync-bench-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        # cms-sync's outline cache in the work folder: each size starts without one.
        os.environ["CMS_SYNC_CACHE_DIR"] = str(work / "outline-cache")
        site = Site(work / "wp")
        print(f"WordPress started in {site.start_seconds:.1f} s at {site.url}", file=sys.stderr)
        try:
            machine = _machine(site)
            samples = {"naive": args.sample, "m2w": args.sample, "wp-md": args.wpmd_sample}
            cache: Cache = {}
            runs: list[SizeRun] = []

            def save(current: SizeRun) -> None:  # after each tool: kept if a later one fails
                done = [*runs, current]
                text = _document(done, machine, peers, "", time.perf_counter() - began)
                args.out.write_text(text, encoding="utf-8")

            for count in sizes:
                runs.append(_size(site, work, count, peers, samples, cache, save))
        finally:
            site.stop()
        reload = _reload(work)
    text = _document(runs, machine, peers, reload, time.perf_counter() - began)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)
    return 0


def _install_peers(cache: Path) -> Peers:
    return {name: tools.install_peer(cache, name) for name in tools.PEERS}


Peers = dict[str, tuple[Path | None, str]]
Cache = dict[tuple[str, int], tuple[dict[str, Result], int | None, frozenset[str]]]


def _size(
    site: Site,
    work: Path,
    count: int,
    peers: Peers,
    samples: dict[str, int],
    cache: Cache,
    save: Callable[[SizeRun], None],
) -> SizeRun:
    """Every tool's cases at N = count.  A tool given a smaller sample runs on that many
    articles; its cases that cost per article are scaled to N (marked ~), the others are
    shown as measured on the sample.  A sample already measured (same tool, same size) at
    another N is reused, not run again."""
    run = SizeRun(count)
    for name in ("cms-sync", "naive", *peers):
        python, why = peers.get(name, (None, ""))
        if name in peers and python is None:
            run.results[name] = {case: Result(note=why) for case in CASES}
            continue
        articles = min(count, samples.get(name, count))
        if (name, articles) not in cache:
            started = time.perf_counter()
            site.reset()
            root = work / f"{name}-{articles}"
            corpus.make_project(root, articles)
            tool = _tool(name, site, root, python, articles)
            results = _cases(site, tool, root, articles, run, name)
            cache[name, articles] = (results, run.revisions.get(name), tool.per_article)
            run.seconds[name] = time.perf_counter() - started
            print(f"N={count} {name}: {run.seconds[name]:.0f} s", file=sys.stderr)
        results, revisions, per_article = cache[name, articles]
        if revisions is not None:
            run.revisions[name] = revisions
        factor = count // articles
        run.results[name] = {
            case: _sampled(r, factor, articles, case in per_article) for case, r in results.items()
        }
        save(run)
    run.render = _render(work, count)
    save(run)
    return run


def _sampled(result: Result, factor: int, articles: int, per_article: bool) -> Result:
    if factor == 1 or not result.ok:
        return result
    if per_article:
        return replace(result.scaled(factor), sample=articles)
    return replace(result, sample=articles)


def _tool(name: str, site: Site, root: Path, python: Path | None, count: int) -> tools.Tool:
    if name == "cms-sync":
        return tools.CmsSync(site, root)
    if name == "naive":
        return tools.NaiveSync(site, root)
    assert python is not None
    return (tools.M2w if name == "m2w" else tools.WpMd)(site, root, python, count)


def _cases(
    site: Site, tool: tools.Tool, root: Path, count: int, run: SizeRun, name: str
) -> dict[str, Result]:
    """The cases in order, each edit made just before the run that should pick it up."""
    results: dict[str, Result] = {}

    def case(label: str, result: Result) -> None:
        results[label] = result
        print(f"  {name} {label}: {report.cell(result)}", file=sys.stderr, flush=True)

    case("first publish", tool.publish())
    run.revisions[name] = _revisions(site)
    case("no-op publish", tool.publish())
    ours = isinstance(tool, tools.CmsSync) and not isinstance(tool, tools.NaiveSync)
    case(COLD_CASE, tool.publish_cold() if ours else Result(note="keeps no cache"))
    corpus.edit_templates(root)
    case("template change", tool.publish())
    if isinstance(tool, tools.CmsSync) and not isinstance(tool, tools.NaiveSync):
        if tool.has_jobs():
            corpus.edit_templates(root)
            case(JOBS_CASE, tool.publish("--jobs", "4"))
        else:
            case(JOBS_CASE, Result(note="no --jobs option yet"))
    corpus.edit_notice(root)
    case("notice edit", tool.publish())
    corpus.edit_one(root / "articles" / corpus.article_name(corpus.edited_article(count)))
    case("one-article edit", tool.publish())
    case("plan", tool.plan())
    edited = _edit_on_site(site, corpus.slug(1)) if name in ("cms-sync", "naive") else ""
    case("pull", tool.pull() if not edited.startswith("!") else Result(note=edited[1:]))
    return results


def _edit_on_site(site: Site, slug: str) -> str:
    """An editor's change to one post in wp-admin, made over REST; "!why" if it failed."""
    http = requests.Session()
    http.auth = (site.user, site.password)
    api = f"{site.url}/wp-json/wp/v2/posts"
    found = http.get(api, params={"slug": slug, "context": "edit", "status": "any"}, timeout=60)
    if found.status_code != 200 or not found.json():
        return f"!no post at slug {slug} to edit"
    post = found.json()[0]
    raw = post["content"]["raw"].replace("ইকমার্স", "ই-কমার্স", 1)
    answer = http.post(f"{api}/{post['id']}", json={"content": raw}, timeout=60)
    return "" if answer.status_code == 200 else f"!site edit answered {answer.status_code}"


def _revisions(site: Site) -> int:
    """Revisions of posts: an update that changes a post's content stores one, a create
    none, so after a first publish this counts the posts written a second time."""
    query = (
        "SELECT COUNT(*) FROM wp_posts r JOIN wp_posts p ON r.post_parent = p.ID "
        "WHERE r.post_type = 'revision' AND p.post_type = 'post'"
    )
    return int(site.sql(query) or 0)


def _render(work: Path, count: int) -> dict[str, float | int | str]:
    root = work / f"render-{count}"
    corpus.make_project(root, count)
    probe = Path(__file__).resolve().parent / "render_probe.py"
    done = subprocess.run(
        [sys.executable, str(probe), str(root), str(work / f"render-out-{count}")],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        found: dict[str, float | int | str] = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": (done.stderr or done.stdout)[-300:]}
    found["ratio"] = float(found["cms_s"]) / float(found["bare_s"]) if found["bare_s"] else 0.0
    return found


def _reload(work: Path) -> str:
    """The preview's reload latency (save -> the page's long-poll answers), 15 saves."""
    try:
        from cms_sync.preview import PreviewServer

        config = corpus.make_project(work / "reload", 3)
        article = config.parent / "articles" / corpus.article_name(1)
        latencies = []
        with PreviewServer(config) as server:
            for n in range(15):
                version = server.preview.version
                started = time.perf_counter()
                article.write_text(article.read_text("utf-8") + f"\nedit {n}\n", "utf-8")
                url = f"{server.url}__preview/wait?version={version}"
                requests.get(url, timeout=10).raise_for_status()
                latencies.append(time.perf_counter() - started)
    except Exception as error:  # the table still prints; the line says what failed
        return f"Preview reload latency: not measured ({error!r})"
    latencies.sort()
    return (
        f"Preview reload latency (save → page told to reload, 15 saves): median "
        f"{latencies[7] * 1000:.0f} ms, worst {latencies[-1] * 1000:.0f} ms (target < 500 ms)."
    )


def _machine(site: Site) -> list[str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = site.versions()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"- CPU: {os.cpu_count()} × {model}; load average at start {load}",
        f"- WordPress {versions['wordpress']} (Debian package), PHP {versions['php']} "
        f"(`php -S`, {os.environ.get('PHP_CLI_SERVER_WORKERS', '4')} workers), MariaDB on a "
        f"socket; Python {platform.python_version()}",
        "- one site for the whole run, emptied (database tables, uploads) before each tool",
    ]


def _document(
    runs: list[SizeRun], machine: list[str], peers: Peers, reload: str, seconds: float
) -> str:
    names = list(peers)
    out = ["# cms-sync benchmark (`make bench`)", "", *machine, ""]
    for run in runs:
        out += [f"## N = {run.count:,}", "", *report.size_table(run, names), ""]
        out += [report.render_line(run), "", *report.targets(run), ""]
        took = ", ".join(f"{name} {s:.0f} s" for name, s in run.seconds.items())
        out += [f"Time spent at N = {run.count:,}: {took}.", ""]
    out += [reload or "(run not finished: this file is written again after each tool)", ""]
    out += ["## Notes", ""]
    out += [
        "- req = requests counted at the server (php.log), writes = POST/PUT/PATCH/DELETE "
        "(a /batch/v1 request counts once), s = wall time of the child process, cpu = its own "
        "CPU seconds, server cpu = what php -S and MariaDB spent meanwhile (wall time depends "
        "on what else the machine runs; the CPU seconds much less), peak MB = the child's max "
        "RSS. `~` = measured on a sample of the articles and multiplied (for costs paid per "
        "article); `(on K)` = measured on K articles, not multiplied (costs not per article).",
        "- naive: naive_sync.py, GET /wp/v2/posts?slug=X then one POST per article on every "
        "run, bare Python-Markdown, notice inlined; its plan and pull are the GETs alone "
        "(pull writes the HTML of a changed post into its file).",
        "- pull: one post edited on the site over REST before the run; cms-sync `pull --force`.",
    ]
    for name in names:
        python, why = peers[name]
        out.append(f"- {PEER_NOTES[name]}" + ("" if python else f" Not run: {why}."))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    out += ["", f"Whole run: {seconds / 60:.1f} min; load average at the end {load}.", ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
