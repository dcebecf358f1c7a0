"""The example CI workflows run for real: their cms-sync commands against the test WordPress.

The commands are read out of examples/ci/*.yml, so an example that stops working (a
renamed option, a changed exit code) fails here instead of in someone's pipeline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO

pytestmark = pytest.mark.wordpress

EXAMPLES = REPO / "examples" / "ci"
SECRET = re.compile(r"\$\{\{\s*secrets\.(\w+)\s*\}\}")


def github_steps(job: str) -> list[str]:
    """The `run:` scripts of a GitHub Actions job that call cms-sync."""
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text("utf-8"))
    steps = workflow["jobs"][job]["steps"]
    return [s["run"] for s in steps if "cms-sync" in s.get("run", "")
            and "pip install" not in s["run"]]  # fmt: skip


def github_env(secrets: dict[str, str]) -> dict[str, str]:
    """The workflow's env block with the repository secrets filled in."""
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text("utf-8"))
    env = {}
    for name, value in workflow["env"].items():
        match = SECRET.fullmatch(value)
        assert match, f"{name} should come from a secret"
        env[name] = secrets[match.group(1)]
    return env


def gitlab_script(job: str) -> list[str]:
    workflow = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text("utf-8"))
    return [line for line in workflow[job]["script"] if "cms-sync" in line]


def run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a CI script as the runner would: bash -e, cms-sync on PATH, no terminal."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    full_env = {"PATH": path, "HOME": str(cwd), "CI": "true", "LANG": "C.UTF-8", **env}
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env=full_env,
        text=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A checkout of this repository's series, as CI would have it."""
    target = tmp_path / "checkout"
    target.mkdir()
    for name in ("articles", "templates"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "cms-sync.toml", target)
    return target


def secrets_for(wp) -> dict[str, str]:
    env = wp.env("admin")
    return {name: env[name] for name in ("CMS_SYNC_URL", "CMS_SYNC_USER",
                                         "CMS_SYNC_APP_PASSWORD")}  # fmt: skip


@pytest.mark.compat
def test_github_workflow_plans_on_pull_requests_and_publishes_on_push(wp, repo_copy, tmp_path):
    summary = tmp_path / "summary.md"
    env = {**github_env(secrets_for(wp)), "GITHUB_STEP_SUMMARY": str(summary)}

    for script in github_steps("plan"):
        done = run(script, repo_copy, env)
        assert done.returncode == 0, done.stdout + done.stderr
    plan = summary.read_text("utf-8")
    assert "plan: 2 to create" in plan
    assert "| **create** | post | `ecommerce-manager-professional-competencies` |" in plan

    [publish] = github_steps("publish")
    done = run(publish, repo_copy, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "create  post     ecommerce-manager-professional-competencies" in done.stdout
    done = run(publish, repo_copy, env)
    assert "2 unchanged" in done.stdout

    # A notice edit on a pull request: the reviewer sees the pattern update, the posts
    # that show it, and the diff.
    notice = repo_copy / "articles" / "comment-privacy-notice.bn.md"
    notice.write_text(notice.read_text("utf-8").replace("আপনার সম্মতি", "আপনার স্পষ্ট সম্মতি"))
    summary.unlink()
    for script in github_steps("plan"):
        assert run(script, repo_copy, env).returncode == 0
    plan = summary.read_text("utf-8")
    post_url = f"{wp.url}/ecommerce-manager-professional-competencies/"
    assert re.search(
        r"\| \*\*update\*\* \| pattern \| \[notice:bn\]\(.+\) \| content; shown in "
        r"`ecommerce-manager-professional-competencies` \|",
        plan,
    ), plan
    assert "-<strong>আইনীকরণ:</strong> আপনার সম্মতি</li>" in plan
    assert "+<strong>আইনীকরণ:</strong> আপনার স্পষ্ট সম্মতি</li>" in plan
    assert post_url not in plan  # the post itself is not rewritten in pattern mode


def test_inline_notice_edit_lists_every_affected_post_with_its_diff(wp, repo_copy, tmp_path):
    config = repo_copy / "cms-sync.toml"
    config.write_text(
        config.read_text("utf-8").replace('notice_mode = "pattern"', 'notice_mode = "inline"')
    )
    env = {**github_env(secrets_for(wp)), "GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")}
    assert run(github_steps("publish")[0], repo_copy, env).returncode == 0
    notice = repo_copy / "articles" / "comment-privacy-notice.bn.md"
    notice.write_text(notice.read_text("utf-8").replace("আপনার সম্মতি", "চুক্তি"))
    for script in github_steps("plan"):
        assert run(script, repo_copy, env).returncode == 0
    plan = (tmp_path / "s.md").read_text("utf-8")
    post_url = f"{wp.url}/ecommerce-manager-professional-competencies/"
    assert (
        f"| **update** | post | [ecommerce-manager-professional-competencies]({post_url}) "
        "| content |"
    ) in plan
    assert "+<strong>আইনীকরণ:</strong> চুক্তি</li>" in plan


def test_publish_job_fails_visibly_on_a_conflict(wp, repo_copy):
    env = github_env(secrets_for(wp))
    [publish] = github_steps("publish")
    assert run(publish, repo_copy, env).returncode == 0
    [post] = [p for p in wp.posts() if "cms-sync:v1" in p["content"]["raw"]]
    edited = post["content"]["raw"].replace("<h2>", "<h2>(edited) ", 1)
    wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"content": edited})
    article = repo_copy / "articles" / "01-ecommerce-manager-competencies.md"
    article.write_text(article.read_text("utf-8") + "\nএকটি নতুন অনুচ্ছেদ।\n", encoding="utf-8")
    done = run(publish, repo_copy, env)
    assert done.returncode == 3
    assert "conflict   post     ecommerce-manager-professional-competencies  content" in (
        done.stdout
    )
    assert "was edited in WordPress after the last publish" in done.stdout


def test_missing_secret_is_one_line_naming_the_variables(wp, repo_copy):
    env = github_env({**secrets_for(wp), "CMS_SYNC_APP_PASSWORD": ""})
    done = run(github_steps("publish")[0], repo_copy, env)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        "Error: no application password for admin: set CMS_SYNC_APP_PASSWORD"
    )


def test_gitlab_pipeline_commands(wp, repo_copy):
    env = secrets_for(wp)
    for line in gitlab_script("plan"):
        done = run(line, repo_copy, env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (repo_copy / "plan.md").read_text("utf-8").startswith("### cms-sync plan")
    for line in gitlab_script("publish"):
        done = run(line, repo_copy, env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "2 created" in done.stdout


def test_examples_keep_publishing_serialised():
    github = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text("utf-8"))
    assert github["jobs"]["publish"]["concurrency"] == {
        "group": "cms-sync-publish",
        "cancel-in-progress": False,
    }
    gitlab = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text("utf-8"))
    assert gitlab["publish"]["resource_group"] == "cms-sync-publish"
