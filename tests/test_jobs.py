"""publish --jobs N: up to N batches of writes in flight at once, with the same end state
and the same guarantees as one at a time.

The real-WordPress test counts on php -S running 4 workers (scripts/wordpress_harness/
webserver.py); a test mu-plugin notes when each batch request starts and ends, so the
overlap is measured at the server, not guessed from the client's side.
"""

from __future__ import annotations

import itertools
import json
import threading
import time

import pytest
from click.testing import CliRunner

from cms_sync import apply
from cms_sync.cli import cli

from .test_concurrent_publish import mu_plugin
from .test_publish import article, kinds, managed, publish_json

ARTICLES = 60  # three batches of 25
# Each /batch/v1 request appends "start end" (microtime) to {file} when it is done.
TIMES = """<?php
if ( false !== strpos( $_SERVER['REQUEST_URI'] ?? '', 'batch/v1' ) ) {{
	$cms_sync_started = microtime( true );
	register_shutdown_function( function () use ( $cms_sync_started ) {{
		file_put_contents( '{file}', $cms_sync_started . ' ' . microtime( true ) . "\\n",
			FILE_APPEND | LOCK_EX );
	}} );
}}
"""


def write_articles(project, count: int = ARTICLES) -> None:
    for n in range(count):
        project.write(f"a-{n:03}.md", article(f"Article {n}", f"Text {n}.", slug=f"article-{n}"))


def end_state(wp) -> dict[str, tuple[str, str, str]]:
    return {p["slug"]: (p["status"], p["title"]["raw"], p["content"]["raw"]) for p in managed(wp)}


@pytest.mark.wordpress
@pytest.mark.compat
def test_jobs_4_overlaps_batches_and_ends_as_jobs_1_does(wp, project, tmp_path):
    write_articles(project)
    start = wp.log_position()
    assert set(kinds(publish_json(wp, project, "--jobs", "1")).values()) == {"create"}
    one_at_a_time, writes = end_state(wp), len(wp.writes_since(start))
    assert len(one_at_a_time) == ARTICLES

    wp.reset()
    times = tmp_path / "batches.txt"
    times.touch()
    start = wp.log_position()
    with mu_plugin(wp, "batch-times", TIMES.format(file=times)):
        report = publish_json(wp, project, "--jobs", "4")
    assert set(kinds(report).values()) == {"create"}
    assert end_state(wp) == one_at_a_time
    assert len(wp.writes_since(start)) == writes  # nothing sent twice
    spans = sorted(tuple(map(float, line.split())) for line in times.read_text().splitlines())
    assert len(spans) == 3, spans
    overlapped = any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))
    assert overlapped, f"the batches ran one after another: {spans}"

    again = wp.log_position()
    assert set(kinds(publish_json(wp, project, "--jobs", "4")).values()) == {"unchanged"}
    assert wp.writes_since(again) == []


@pytest.mark.wordpress
def test_a_lost_batch_answer_among_four_in_flight_creates_nothing_twice(fault_proxy, wp, project):
    write_articles(project)
    fault_proxy.arm("POST", "/batch/v1", "lose", after=1)  # WordPress did it; answer dropped
    result = CliRunner().invoke(
        cli,
        ["--config", str(project.config), "publish", "--json", "--jobs", "4"],
        env=fault_proxy.env(wp.env()),
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert fault_proxy.fired == ["POST /batch/v1 lose"]
    assert set(kinds(json.loads(result.stdout)).values()) == {"create"}
    slugs = [p["slug"] for p in managed(wp)]
    assert sorted(slugs) == sorted(f"article-{n}" for n in range(ARTICLES))  # one post each
    again = wp.log_position()
    assert set(kinds(publish_json(wp, project, "--jobs", "4")).values()) == {"unchanged"}
    assert wp.writes_since(again) == []


@pytest.mark.parametrize("value", ["0", "-1", "100", "two"])
def test_a_bad_jobs_value_is_a_usage_error(project, value):
    result = CliRunner().invoke(cli, ["--config", str(project.config), "publish", "--jobs", value])
    assert result.exit_code == 2
    assert "Invalid value for '--jobs'" in result.stderr
    assert "1<=x<=8" in result.stderr or "not a valid integer" in result.stderr


class SlowSite:
    """A site whose second batch fails at once while the first is still being answered."""

    def __init__(self) -> None:
        self.finished: list[int] = []
        self.lock = threading.Lock()

    def batch(self, requests, answered=None):
        number = requests[0]["n"] // 25
        if number == 1:
            raise RuntimeError("no answer")
        time.sleep(0.3 if number == 0 else 0)
        with self.lock:
            self.finished.append(number)
        return [{"status": 200, "body": r} for r in requests]


def test_a_failed_batch_is_raised_only_when_no_batch_is_in_flight():
    site = SlowSite()
    requests = [{"n": n} for n in range(100)]
    with pytest.raises(RuntimeError):
        apply.send(site, requests, lambda _done: None, jobs=2)  # type: ignore[arg-type]
    assert 0 in site.finished  # the first batch was answered before the error went up


def test_answers_come_back_in_order_and_progress_counts_every_request():
    site, told = SlowSite(), []
    site.batch = lambda requests, answered=None: [{"status": 200, "body": r} for r in requests]
    requests = [{"n": n} for n in range(80)]
    answers = apply.send(site, requests, told.append, jobs=4)  # type: ignore[arg-type]
    assert [a["body"]["n"] for a in answers] == list(range(80))
    assert sorted(told) == told and told[-1] == 80
