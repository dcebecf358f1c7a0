"""The example CI workflows run for real: their jobs against the test WordPress.

The GitHub workflow's jobs run through the action (action.yml) the way a runner runs them
(tests/github_actions.py), the GitLab pipeline's scripts in bash as GitLab joins them, so an
example that stops working (a renamed option, a changed exit code, a secret in the wrong
place) fails here instead of in someone's pipeline.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .action_fixtures import (  # noqa: F401  (fixtures)
    PLAIN_PATH,
    action_checkout,
    content_repo,
    installed,
    listener,
    make_runner,
    pull_request_event,
)
from .conftest import REPO
from .github_actions import run_job

EXAMPLES = REPO / "examples" / "ci"
GITHUB = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text("utf-8"))
GITLAB = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text("utf-8"))
RUNNER_ENV = {"PATH": PLAIN_PATH, "LANG": "C.UTF-8", "CI": "true"}
ACTION_USE = re.compile(r"[\w.-]+/cms-sync@v\d+\.\d+\.\d+")


def cms_sync_steps(job: str) -> list[dict[str, Any]]:
    return [s for s in GITHUB["jobs"][job]["steps"] if "cms-sync@" in s.get("uses", "")]


def test_github_workflow_uses_the_pinned_action_with_each_secret_in_one_place():
    # pull_request gives a fork's run no secrets; pull_request_target would give them.
    assert set(GITHUB[True]) == {"pull_request", "push"}  # YAML reads `on:` as True
    assert "env" not in GITHUB
    text = (EXAMPLES / "github-actions.yml").read_text("utf-8")
    assert "pip install" not in text
    expected = {"plan": ("staging", "STAGING"), "publish": ("production", "PRODUCTION")}
    for job, (site, secret) in expected.items():
        spec = GITHUB["jobs"][job]
        assert "env" not in spec
        assert spec["environment"] == site
        [use] = cms_sync_steps(job)
        assert ACTION_USE.fullmatch(use["uses"]), use["uses"]  # a release, never ./
        assert use["with"]["site"] == site
        # The address the password goes to: the workflow's, never the checkout's.
        assert use["with"]["site-url"] == f"${{{{ vars.{secret}_URL }}}}"
        assert use["with"]["password"] == f"${{{{ secrets.{secret}_WP_APP_PASSWORD }}}}"
        checkout = spec["steps"][0]
        assert checkout["uses"].startswith("actions/checkout@")
        assert checkout["with"]["persist-credentials"] is False
        others = [s for s in spec["steps"] if s is not use]
        assert "secrets." not in yaml.safe_dump(others)
    assert GITHUB["jobs"]["plan"]["permissions"]["pull-requests"] == "write"
    assert "pull-requests" not in GITHUB["permissions"]


def test_examples_keep_publishing_serialised():
    assert GITHUB["jobs"]["publish"]["concurrency"] == {
        "group": "cms-sync-publish",
        "cancel-in-progress": False,
    }
    assert GITLAB["publish"]["resource_group"] == "cms-sync-publish"


def site_urls(url: str) -> dict[str, dict[str, str]]:
    """The environments' variables: each site's address, here both the test site."""
    return {"staging": {"STAGING_URL": url}, "production": {"PRODUCTION_URL": url}}


def production_password(wp) -> str:
    """A second application password of the test site's admin: the production secret, so a
    test can tell it from the staging one."""
    created = wp.api(
        "POST", "/wp/v2/users/me/application-passwords", json={"name": "cms-sync production"}
    )
    return str(created["password"])


@pytest.mark.compat
def test_github_pull_request_plans_on_staging_with_preview_links_and_push_publishes(
    wp,
    content_repo,  # noqa: F811
    make_runner,  # noqa: F811
    action_checkout,  # noqa: F811
    tmp_path,
):
    staging = wp.env("admin")["CMS_SYNC_APP_PASSWORD"]
    production = production_password(wp)
    secrets = {
        "staging": {"STAGING_WP_APP_PASSWORD": staging},
        "production": {"PRODUCTION_WP_APP_PASSWORD": production},
    }
    workspace = content_repo(wp.url)
    urls = site_urls(wp.url)

    runner, gh = make_runner(workspace, "pull_request", pull_request_event(number=5))
    assert run_job(runner, GITHUB, "plan", secrets, action_checkout, urls), runner.log()
    assert run_job(runner, GITHUB, "publish", secrets, action_checkout, urls)  # not on a PR
    assert runner.steps_that_saw(staging) == ["site"]
    assert runner.steps_that_saw(production) == []
    assert not (tmp_path / "trap-ran").exists()
    [comment] = gh.comments()
    assert "plan: 2 to create" in comment
    assert "| **create** | post | `ecommerce-manager-professional-competencies` |" in comment
    previews = comment.split("### Preview on staging", 1)[1]
    assert "| `articles/01-ecommerce-manager-competencies.md` | [" in previews
    assert f"]({wp.url}/" in previews
    assert comment in runner.summary.read_text("utf-8")

    comments = len(gh.calls())
    wp.reset()  # the preview's drafts are staging's; production starts empty
    runner, gh = make_runner(workspace, "push", {"ref": "refs/heads/main"})
    assert run_job(runner, GITHUB, "plan", secrets, action_checkout, urls)  # not on a push
    assert run_job(runner, GITHUB, "publish", secrets, action_checkout, urls), runner.log()
    assert runner.steps_that_saw(production) == ["site"]
    assert runner.steps_that_saw(staging) == []
    assert len(gh.calls()) == comments  # nothing posted on a push
    summary = runner.summary.read_text("utf-8")
    assert "| **create** | post |" in summary
    published = [p for p in wp.posts() if "cms-sync:v1" in p["content"]["raw"]]
    assert [p["slug"] for p in published] == ["ecommerce-manager-professional-competencies"]

    runner, _gh = make_runner(workspace, "push", {"ref": "refs/heads/main"})
    assert run_job(runner, GITHUB, "publish", secrets, action_checkout, urls), runner.log()
    assert "2 unchanged" in runner.log()


def test_notice_edit_on_a_pull_request_shows_the_pattern_and_the_posts_that_show_it(
    wp,
    content_repo,  # noqa: F811
    make_runner,  # noqa: F811
    action_checkout,  # noqa: F811
):
    password = wp.env("admin")["CMS_SYNC_APP_PASSWORD"]
    secrets = {"staging": {"STAGING_WP_APP_PASSWORD": password},
               "production": {"PRODUCTION_WP_APP_PASSWORD": password}}  # fmt: skip
    workspace = content_repo(wp.url)
    urls = site_urls(wp.url)
    runner, _gh = make_runner(workspace, "push", {})
    assert run_job(runner, GITHUB, "publish", secrets, action_checkout, urls), runner.log()

    notice = workspace / "articles" / "comment-privacy-notice.bn.md"
    notice.write_text(notice.read_text("utf-8").replace("আপনার সম্মতি", "আপনার স্পষ্ট সম্মতি"))
    runner, gh = make_runner(workspace, "pull_request", pull_request_event())
    assert run_job(runner, GITHUB, "plan", secrets, action_checkout, urls), runner.log()
    [comment] = gh.comments()
    assert re.search(
        r"\| \*\*update\*\* \| pattern \| \[notice:bn\]\(.+\) \| content; shown in "
        r"`ecommerce-manager-professional-competencies` \|",
        comment,
    ), comment
    assert "-<strong>আইনীকরণ:</strong> আপনার সম্মতি</li>" in comment
    assert "+<strong>আইনীকরণ:</strong> আপনার স্পষ্ট সম্মতি</li>" in comment
    # The post itself is not rewritten in pattern mode, so it is no update row of the plan.
    assert f"[ecommerce-manager-professional-competencies]({wp.url}/" not in comment


def gitlab_job(
    job: str, workspace: Path, env: dict[str, str], venv: Path
) -> subprocess.CompletedProcess[str]:
    """A GitLab job's script, with the before_script's PATH to the venv, joined into one
    bash script as the runner joins them (an `exit 0` ends the job), with the pipeline's
    variables. venv: cms-sync installed as the before_script installs it."""
    before = [line for line in GITLAB[".cms-sync"]["before_script"] if "PATH=" in line]
    lines = [*before, *GITLAB[job]["script"]]
    variables = {**GITLAB["variables"], "CMS_SYNC_VENV": str(venv)}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(lines)],
        cwd=workspace,
        env={**RUNNER_ENV, "HOME": str(workspace.parent), **variables, **env},
        text=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_gitlab_installs_the_pinned_requirement_outside_the_checkout():
    before = GITLAB[".cms-sync"]["before_script"]
    assert before[0] == 'python3 -m venv "$CMS_SYNC_VENV"'
    assert before[1] == (
        '(cd /tmp && "$CMS_SYNC_VENV/bin/python" -I -m pip install --quiet "$CMS_SYNC_REQUIREMENT")'
    )
    assert re.fullmatch(
        r"cms-sync @ git\+https://github\.com/OWNER/cms-sync@v\d+\.\d+\.\d+",
        GITLAB["variables"]["CMS_SYNC_REQUIREMENT"],
    )


def test_gitlab_pipeline_plans_on_staging_and_publishes_to_production(
    wp,
    content_repo,  # noqa: F811
    action_checkout,  # noqa: F811
    installed,  # noqa: F811
    tmp_path,
):
    workspace = content_repo(wp.url)
    password = wp.env("admin")["CMS_SYNC_APP_PASSWORD"]
    # The pinned requirement, pointed at this checkout: no network, and not the workspace.
    pinned = {"CMS_SYNC_REQUIREMENT": str(action_checkout)}
    venv = installed  # the action's install of the same requirement (each takes seconds)

    done = gitlab_job("check", workspace, pinned, venv)
    assert done.returncode == 0, done.stdout + done.stderr
    env = {**pinned, "STAGING_WP_APP_PASSWORD": password, "STAGING_URL": wp.url}
    done = gitlab_job("plan", workspace, env, venv)
    assert done.returncode == 0, done.stdout + done.stderr
    plan = (workspace / "plan.md").read_text("utf-8")
    assert plan.startswith("### cms-sync plan")
    assert "\n### Preview on staging\n\n- `articles/01-ecommerce-manager-competencies.md`: " in (
        plan
    )
    assert not (tmp_path / "trap-ran").exists()

    wp.reset()
    env = {**pinned, "PRODUCTION_WP_APP_PASSWORD": password, "PRODUCTION_URL": wp.url}
    done = gitlab_job("publish", workspace, env, venv)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 created" in done.stdout


def test_gitlab_merge_request_from_a_fork_gets_check_and_a_note(
    content_repo,  # noqa: F811
    action_checkout,  # noqa: F811
    installed,  # noqa: F811
):
    workspace = content_repo("https://staging.invalid")
    venv = installed
    pinned = {"CMS_SYNC_REQUIREMENT": str(action_checkout)}
    done = gitlab_job("plan", workspace, pinned, venv)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("No plan: this pipeline has no staging password")


def test_gitlab_merge_request_that_points_the_profile_elsewhere_sends_nothing(
    content_repo,  # noqa: F811
    action_checkout,  # noqa: F811
    installed,  # noqa: F811
    listener,  # noqa: F811
):
    elsewhere, got = listener
    workspace = content_repo(elsewhere)  # the merge request changed [sites.staging].site_url
    env = {
        "CMS_SYNC_REQUIREMENT": str(action_checkout),
        "STAGING_WP_APP_PASSWORD": "real-staging-secret",
        "STAGING_URL": "https://staging.example.org",
    }
    done = gitlab_job("plan", workspace, env, installed)
    assert done.returncode == 1
    assert got == []
    [line] = done.stderr.splitlines()
    assert (
        line.startswith("error: cms-sync.toml:")
        and (
            f"sites.staging.site_url '{elsewhere}' is not the site this workflow publishes to "
            "(https://staging.example.org)"
        )
        in line
    ), line
    assert "real-staging-secret" not in done.stdout + done.stderr
