""".pre-commit-hooks.yaml: the cms-sync-check hook, run by the real pre-commit.

A content repository that is not this one uses a local clone of this repository as the hook
repository: pre-commit installs cms-sync from it into its own environment and runs
`cms-sync check`; a good article passes, a bad one stops the commit with the check's
path:line line, and a commit that touches no file of the project's kinds skips the hook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
ARTICLE = "articles/01-ecommerce-manager-competencies.md"


def test_hook_definition():
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "cms-sync-check"
    assert hook["entry"] == "cms-sync check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False  # check validates the whole project


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": f"{PRE_COMMIT.parent}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.org",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.org",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, text=True, capture_output=True, stdin=subprocess.DEVNULL,
        timeout=600,
    )  # fmt: skip


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = run(["git", *args], cwd, env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def hook_repo(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    """A local clone of this repository (its committed HEAD) and that commit."""
    if not PRE_COMMIT.exists():
        pytest.fail("pre-commit is not installed: pip install -e '.[dev]' (make venv)")
    clone = tmp_path / "cms-sync"
    git(tmp_path, env, "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone))
    assert (clone / ".pre-commit-hooks.yaml").exists(), "commit .pre-commit-hooks.yaml first"
    return clone, git(clone, env, "rev-parse", "HEAD").strip()


@pytest.fixture
def content(tmp_path: Path, env: dict[str, str]) -> Path:
    """A content repository: the series, cms-sync.toml, templates, one commit."""
    repo = tmp_path / "articles-repo"
    repo.mkdir()
    for name in ("articles", "templates"):
        shutil.copytree(REPO / name, repo / name)
    shutil.copy(REPO / "cms-sync.toml", repo)
    git(repo, env, "init", "--quiet", "--initial-branch=main")
    git(repo, env, "add", ".")
    git(repo, env, "commit", "--quiet", "-m", "the series")
    return repo


def break_article(repo: Path) -> None:
    article = repo / ARTICLE
    text = article.read_text("utf-8")
    assert "status: publish\n" in text
    article.write_text(text.replace("status: publish\n", "status: published\n", 1), "utf-8")


def test_good_and_bad_article_through_try_repo_and_a_real_commit(hook_repo, content, env):
    clone, rev = hook_repo
    try_repo = [str(PRE_COMMIT), "try-repo", str(clone), "cms-sync-check", "--ref", rev]

    done = run([*try_repo, "--all-files"], content, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cms-sync check" in done.stdout
    assert "Passed" in done.stdout

    break_article(content)
    git(content, env, "add", ARTICLE)
    done = run(try_repo, content, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert (
        f"{ARTICLE}:5: error: status: unknown status 'published'; use one of: draft, pending, "
        "publish, private, future"
    ) in done.stdout

    # The same hook from .pre-commit-config.yaml stops a real `git commit`.
    config = {"repos": [{"repo": str(clone), "rev": rev, "hooks": [{"id": "cms-sync-check"}]}]}
    (content / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    git(content, env, "add", ".pre-commit-config.yaml")
    assert run([str(PRE_COMMIT), "install"], content, env).returncode == 0
    done = run(["git", "commit", "-m", "a typo in the status"], content, env)
    assert done.returncode == 1
    assert f"{ARTICLE}:5: error: status: unknown status 'published'" in done.stderr
    assert git(content, env, "log", "--format=%s") == "the series\n"  # nothing committed

    # The check sees what is staged: the broken article left unstaged is set aside.
    git(content, env, "restore", "--staged", ARTICLE)
    done = run(["git", "commit", "-m", "pre-commit"], content, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cms-sync check" in done.stdout + done.stderr

    # A commit of a file of no kind the check reads does not run it.
    (content / "notes.txt").write_text("to do\n", "utf-8")
    git(content, env, "add", "notes.txt")
    done = run(["git", "commit", "-m", "notes"], content, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cms-sync check" in done.stdout + done.stderr
    assert "(no files to check)Skipped" in done.stdout + done.stderr

    # Fixed, it passes and commits.
    article = content / ARTICLE
    fixed = article.read_text("utf-8").replace("status: published", "status: publish")
    article.write_text(fixed + "\nএকটি নতুন অনুচ্ছেদ।\n", "utf-8")
    git(content, env, "add", ARTICLE)
    done = run(["git", "commit", "-m", "the status back"], content, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout + done.stderr
