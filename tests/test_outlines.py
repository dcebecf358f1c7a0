"""The outline cache: a second run converts no unchanged article, and finds the same."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from cms_sync import outlines, render
from cms_sync.config import load_config
from cms_sync.project import load_project

BODY = 'Text with [a link](other.md), ![a picture](pic.png "cap") and [a miss](gone.md).\n'


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Each Markdown conversion of this test (a fresh process each load: caches cleared)."""
    monkeypatch.setenv("CMS_SYNC_CACHE_DIR", str(tmp_path / "cache"))
    seen: list[str] = []
    real = render._converter

    def counting() -> object:
        md, recorder = real()

        class Counting:
            def reset(self) -> Counting:
                md.reset()
                return self

            def convert(self, text: str) -> str:
                seen.append(text)
                return md.convert(text)

        return Counting(), recorder

    monkeypatch.setattr(render, "_converter", counting)
    return seen


def fresh_load(project) -> list[str]:
    """load_project as a new process runs it; the findings as lines."""
    render.convert.cache_clear()
    render.outline.cache_clear()
    outlines.forget()
    _, findings = load_project(load_config(project.config))
    return [str(f) for f in findings]


def test_a_second_run_converts_nothing_and_finds_the_same(project, conversions):
    project.write("pic.png", b"\x89PNG\r\n\x1a\n")
    project.write("one.md", "---\ntitle: One\n---\n\n" + BODY)
    project.write("other.md", "---\ntitle: Other\n---\n\nPlain.\n")
    first = fresh_load(project)
    assert any("gone.md" in line for line in first)
    assert len(conversions) >= 2
    conversions.clear()
    assert fresh_load(project) == first
    assert conversions == []


def test_an_edited_article_is_converted_again(project, conversions):
    project.write("one.md", "---\ntitle: One\n---\n\nFine.\n")
    assert fresh_load(project) == []
    project.write("one.md", "---\ntitle: One\n---\n\nNow [broken](nowhere.md).\n")
    conversions.clear()
    found = fresh_load(project)
    assert len(conversions) == 1
    assert any("nowhere.md" in line for line in found)


def test_a_damaged_cache_is_ignored(project, conversions, tmp_path):
    project.write("one.md", "---\ntitle: One\n---\n\nSee [x](x.md).\n")
    first = fresh_load(project)
    [cache] = (tmp_path / "cache").iterdir()
    cache.write_text("{not json", encoding="utf-8")
    assert fresh_load(project) == first
    data = json.loads(cache.read_text("utf-8"))  # written anew by that run
    assert data["outlines"]


def test_off_writes_no_cache(project, conversions, tmp_path, monkeypatch):
    monkeypatch.setenv("CMS_SYNC_CACHE_DIR", "off")
    project.write("one.md", "---\ntitle: One\n---\n\nText.\n")
    fresh_load(project)
    conversions.clear()
    fresh_load(project)
    assert conversions  # converted again: nothing was kept
    assert not (tmp_path / "cache").exists()


def test_the_files_of_projects_not_run_for_a_month_are_deleted(project, conversions, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    old, recent = cache / "outlines-0000000000000000.json", cache / "outlines-1111111111111111.json"
    for path in (old, recent):
        path.write_text("{}", encoding="utf-8")
    month = time.time() - 31 * 86400
    os.utime(old, (month, month))
    project.write("one.md", "---\ntitle: One\n---\n\nText.\n")
    fresh_load(project)
    assert not old.exists() and recent.exists()
    assert len(list(cache.glob("outlines-*.json"))) == 2  # this project's and the recent one
