"""action.yml, the reusable GitHub Action: its definition, and its steps run for real.

The steps run in bash as a runner runs them (tests/github_actions.py), in a content
repository that is not this one, with the action installed from its own files. The example
workflows that use it are run in tests/test_ci_examples.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cms_sync.ci_site import same_site

from .action_fixtures import (  # noqa: F401  (fixtures)
    action_checkout,
    content_repo,
    installed,
    listener,
    make_runner,
    pull_request_event,
)
from .conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def expressions(value: object) -> list[str]:
    """Every `${{ }}` expression anywhere in a YAML value."""
    if isinstance(value, dict):
        # `if:` is an expression with or without the ${{ }}.
        found = [str(value["if"])] if "if" in value and "${{" not in str(value["if"]) else []
        return found + [e for v in value.values() for e in expressions(v)]
    if isinstance(value, list):
        return [e for v in value for e in expressions(v)]
    return [m.strip() for m in EXPRESSION.findall(str(value))]


def test_action_is_composite_and_pastes_no_expression_into_a_script():
    assert ACTION["runs"]["using"] == "composite"
    for step in STEPS:
        assert step["shell"] == "bash", step["id"]
        # A value pasted into a script is code: a title or a branch name could run commands.
        assert "${{" not in step["run"], step["id"]


def test_every_input_and_step_output_it_uses_exists():
    ids = [step["id"] for step in STEPS]
    used_inputs = set()
    for step in STEPS:
        for expression in expressions(step):
            used_inputs.update(re.findall(r"\binputs\.([\w-]+)", expression))
            for step_id in re.findall(r"\bsteps\.([\w-]+)\.", expression):
                assert ids.index(step_id) < ids.index(step["id"]), (step["id"], step_id)
    assert used_inputs == set(ACTION["inputs"])
    for output in ACTION["outputs"].values():
        for step_id in re.findall(r"\bsteps\.([\w-]+)\.", output["value"]):
            assert step_id in ids


def test_the_password_is_in_one_step_and_the_token_in_another():
    with_password = [s["id"] for s in STEPS if "inputs.password" in " ".join(expressions(s))]
    # decide sees only whether there is one: ${{ inputs.password != '' }} is true or false.
    assert with_password == ["decide", "site"]
    assert STEPS[[s["id"] for s in STEPS].index("decide")]["env"]["CMS_SYNC_HAS_PASSWORD"] == (
        "${{ inputs.password != '' }}"
    )
    [site] = [s for s in STEPS if s["id"] == "site"]
    assert site["env"]["CMS_SYNC_SECRET"] == "${{ inputs.password }}"
    with_token = [s["id"] for s in STEPS if "inputs.github-token" in " ".join(expressions(s))]
    assert with_token == ["comment"]


def test_install_is_pinned_to_the_actions_own_files():
    [install] = [s for s in STEPS if s["id"] == "install"]
    assert 'spec="${CMS_SYNC_VERSION:-$GITHUB_ACTION_PATH}"' in install["run"]
    assert "GITHUB_WORKSPACE" not in install["run"]
    assert "pip install ." not in install["run"]


@pytest.fixture
def action(action_checkout, make_runner):  # noqa: F811
    """Run the action: (runner, fake gh, passed)."""

    def run(workspace: Path, event_name: str, event, **with_):
        runner, gh = make_runner(workspace, event_name, event)
        inputs = {name.replace("_", "-"): value for name, value in with_.items()}
        passed = runner.run_action(action_checkout, inputs)
        return runner, gh, passed

    return run


def test_fork_pull_request_gets_check_and_a_note_instead_of_a_plan(action, content_repo):  # noqa: F811
    workspace = content_repo("https://staging.invalid")
    runner, gh, passed = action(
        workspace, "pull_request", pull_request_event(fork=True), site="staging", password=""
    )
    assert passed, runner.log()
    ran = {s.id: s.ran for s in runner.steps}
    assert ran == {
        "install": True,
        "decide": True,
        "check": True,
        "site": False,
        "comment": False,
        "result": False,
    }
    summary = runner.summary.read_text("utf-8")
    assert "No plan: this pull request's workflow has no site password" in summary
    assert "::notice title=cms-sync::No plan" in runner.log()
    assert gh.calls() == []  # a fork's token cannot comment; nothing is tried


def test_fork_pull_request_with_a_bad_article_fails_with_the_checks_line(action, content_repo):  # noqa: F811
    workspace = content_repo("https://staging.invalid")
    article = workspace / "articles" / "01-ecommerce-manager-competencies.md"
    article.write_text(
        article.read_text("utf-8").replace("status: publish", "status: published", 1), "utf-8"
    )
    runner, _gh, passed = action(
        workspace, "pull_request", pull_request_event(fork=True), site="staging"
    )
    assert not passed
    [check] = [s for s in runner.steps if s.id == "check"]
    assert check.returncode == 1
    line = next(s for s in check.stdout.splitlines() if "error: status:" in s)
    assert re.fullmatch(
        r"articles/01-ecommerce-manager-competencies\.md:\d+: error: status: unknown status "
        r"'published'; use one of: .*",
        line,
    ), line
    path, number = line.split(":")[:2]
    assert f"::error file={path},line={number}::status: unknown status 'published'" in (
        check.stdout
    )
    assert line in runner.summary.read_text("utf-8")
    assert [s.id for s in runner.steps if s.ran] == ["install", "decide", "check"]


def test_publish_without_a_password_fails_before_anything_is_sent(action, content_repo):  # noqa: F811
    workspace = content_repo("https://production.invalid")
    runner, _gh, passed = action(workspace, "push", {}, site="production")
    assert not passed
    assert (
        "::error::cms-sync action: no password for publish: give the site's application password"
        in runner.log()
    )
    assert [s.id for s in runner.steps if s.ran] == ["install", "decide"]


def test_a_pull_request_that_points_the_profile_elsewhere_gets_no_password_sent(
    action,
    content_repo,  # noqa: F811
    listener,  # noqa: F811
):
    # The pull request changed [sites.staging].site_url to its own host; the workflow pins
    # the staging site's address.
    elsewhere, got = listener
    workspace = content_repo(elsewhere)
    runner, _gh, passed = action(
        workspace,
        "pull_request",
        pull_request_event(),
        site="staging",
        site_url="https://staging.example.org",
        password="real-staging-secret",
    )
    assert not passed
    assert got == []  # not one request, so no password either
    [site] = [s for s in runner.steps if s.id == "site"]
    assert site.returncode == 1
    assert site.stdout.splitlines() == [
        f"::error::cms-sync action: cms-sync.toml:{staging_line(workspace)}: "
        f"sites.staging.site_url '{elsewhere}' is not the site this workflow publishes to "
        "(https://staging.example.org): no password is sent to an address the checkout "
        "names; set site_url back to the workflow's address, or change the workflow's variable"
    ], runner.log()
    assert "real-staging-secret" not in runner.log() + runner.summary.read_text("utf-8")
    assert [s.id for s in runner.steps if s.ran] == ["install", "decide", "check", "site"]


def staging_line(workspace: Path) -> int:
    """The line of [sites.staging]'s site_url in the workspace's cms-sync.toml."""
    lines = (workspace / "cms-sync.toml").read_text("utf-8").splitlines()
    start = lines.index("[sites.staging]")
    return next(n for n, line in enumerate(lines[start:], start + 1) if "site_url" in line)


def test_a_site_command_with_a_password_needs_the_workflows_site_url(action, content_repo):  # noqa: F811
    workspace = content_repo("https://staging.invalid")
    runner, _gh, passed = action(
        workspace, "pull_request", pull_request_event(), site="staging", password="s3cret"
    )
    assert not passed
    [decide] = [s for s in runner.steps if s.id == "decide"]
    assert decide.stdout.splitlines() == [
        "::error::cms-sync action: no site-url for plan: give the site's address from the "
        "workflow (site-url, e.g. from vars.STAGING_URL), never from the checkout's "
        "cms-sync.toml, which a pull request can change"
    ]
    assert [s.id for s in runner.steps if s.ran] == ["install", "decide"]
    assert runner.steps_that_saw("s3cret") == []


@pytest.mark.parametrize(
    ("profile", "pinned", "same"),
    [
        ("https://Staging.example.org/", "https://staging.example.org", True),
        ("https://staging.example.org:443/blog", "https://staging.example.org/blog/", True),
        ("https://staging.example.org.evil.test", "https://staging.example.org", False),
        ("http://staging.example.org", "https://staging.example.org", False),
        ("https://staging.example.org/blog", "https://staging.example.org", False),
        ("https://staging.example.org:8443", "https://staging.example.org", False),
    ],
)
def test_same_site(profile, pinned, same):
    assert same_site(profile, pinned) is same


def test_no_site_command_on_pull_request_target(action, content_repo):  # noqa: F811
    workspace = content_repo("https://staging.invalid")
    runner, _gh, passed = action(
        workspace,
        "pull_request_target",
        pull_request_event(),
        command="plan",
        site="staging",
        password="s3cret-never-used",
    )
    assert not passed
    assert "no plan on pull_request_target" in runner.log()
    assert runner.steps_that_saw("s3cret-never-used") == []


def test_an_unknown_command_is_one_error(action, content_repo):  # noqa: F811
    runner, _gh, passed = action(content_repo("https://x.invalid"), "push", {}, command="deploy")
    assert not passed
    assert "command 'deploy' is not one of auto, check, plan, publish, preview" in runner.log()


def test_auto_checks_on_other_events(action, content_repo):  # noqa: F811
    runner, _gh, passed = action(
        content_repo("https://x.invalid"), "workflow_dispatch", {}, password="unused"
    )
    assert passed, runner.log()
    assert [s.id for s in runner.steps if s.ran] == ["install", "decide", "check"]
    assert runner.steps_that_saw("unused") == []


def test_plan_on_a_pull_request_runs_only_the_pinned_cms_sync_with_the_password(
    action,
    content_repo,  # noqa: F811
    wp,
    tmp_path,
):
    password = wp.env("admin")["CMS_SYNC_APP_PASSWORD"]
    workspace = content_repo(wp.url)
    runner, gh, passed = action(
        workspace,
        "pull_request",
        pull_request_event(number=12),
        site="staging",
        site_url=wp.url,
        password=password,
    )
    assert passed, runner.log()
    assert not (tmp_path / "trap-ran").exists(), (tmp_path / "trap-ran").read_text()
    # The password: in the site step's environment only, under the profile's variable.
    assert runner.steps_that_saw(password) == ["site"]
    [site] = [s for s in runner.steps if s.id == "site"]
    assert site.env["CMS_SYNC_SECRET"] == password  # exported as STAGING_WP_APP_PASSWORD there
    assert password not in runner.log() + runner.summary.read_text("utf-8")
    summary = runner.summary.read_text("utf-8")
    assert "plan: 2 to create" in summary
    assert "| **create** | post | `ecommerce-manager-professional-competencies` |" in summary
    # The comment: posted by gh with the job's token, which never saw the password.
    [call] = gh.calls()[-1:]
    assert call["args"][:3] == ["pr", "comment", "12"]
    assert call["env"]["GH_TOKEN"] == runner.token
    assert call["env"]["GH_REPO"] == "example/articles"
    assert password not in call["env"].values()
    [comment] = gh.comments()
    assert comment.startswith("### cms-sync plan")
    assert runner.token not in [
        v for s in runner.steps if s.id != "comment" for v in s.env.values()
    ]
    assert wp.posts() == []  # a plan writes nothing

    # The next push to the pull request edits the same comment.
    runner2, gh2, passed = action(
        workspace,
        "pull_request",
        pull_request_event(number=12),
        site="staging",
        site_url=wp.url,
        password=password,
    )
    assert passed, runner2.log()
    assert len(gh2.comments()) == 1
    assert "--edit-last" in gh2.calls()[-1]["args"]


def test_publish_on_push_and_conflicts_fail_the_job(action, content_repo, wp):  # noqa: F811
    password = wp.env("admin")["CMS_SYNC_APP_PASSWORD"]
    workspace = content_repo(wp.url)
    runner, gh, passed = action(
        workspace, "push", {}, site="production", site_url=wp.url, password=password
    )
    assert passed, runner.log()
    assert "| **create** | post |" in runner.summary.read_text("utf-8")
    assert len([p for p in wp.posts() if "cms-sync:v1" in p["content"]["raw"]]) == 1
    assert gh.calls() == []
    assert runner.steps_that_saw(password) == ["site"]

    [post] = [p for p in wp.posts() if "cms-sync:v1" in p["content"]["raw"]]
    edited = post["content"]["raw"].replace("<h2", '<h2 data-x="edited"', 1)
    wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"content": edited})
    article = workspace / "articles" / "01-ecommerce-manager-competencies.md"
    article.write_text(article.read_text("utf-8") + "\nএকটি নতুন অনুচ্ছেদ।\n", encoding="utf-8")
    runner, _gh, passed = action(
        workspace, "push", {}, site="production", site_url=wp.url, password=password
    )
    assert not passed
    [result] = [s for s in runner.steps if s.id == "result"]
    assert result.returncode == 3
    assert "**conflict**" in runner.summary.read_text("utf-8")
