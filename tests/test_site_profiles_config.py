"""Site profiles in cms-sync.toml: `[sites.NAME]` checked like every other setting, selected by
--site, CMS_SYNC_SITE or default_site, and the precedence of the environment over them.

No site is contacted here (the two-site runs against real WordPress sites are in
test_site_profiles.py): every request would go to a `responses` mock that knows no URL.
"""

from __future__ import annotations

import textwrap

import pytest
import responses
from click.testing import CliRunner

from cms_sync.cli import cli
from cms_sync.config import load_config
from cms_sync.credentials import resolve
from cms_sync.errors import CmsSyncError

PROFILES = """\
site_url = "http://127.0.0.1:9"
user = "admin"
default_lang = "en"

[sites.staging]
site_url = "http://127.0.0.1:8101/"
password_env = "STAGING_APP_PASSWORD"

[sites.production]
site_url = "https://blog.example.org"
user = "editor"
password_env = "PRODUCTION_APP_PASSWORD"
"""
SECRET = "abcd EFGH ijkl MNOP qrst UVWX"
ENV = ("CMS_SYNC_URL", "CMS_SYNC_USER", "CMS_SYNC_SITE", "CMS_SYNC_APP_PASSWORD")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in (*ENV, "CMS_SYNC_CA_BUNDLE", "STAGING_APP_PASSWORD", "PRODUCTION_APP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc of the machine's


def write(project, text: str = PROFILES) -> None:
    project.config.write_text(textwrap.dedent(text), encoding="utf-8")


def run(project, *args: str, env: dict[str, str] | None = None):
    """cms-sync in the project, with a mock that refuses every request (and counts them)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        result = CliRunner().invoke(
            cli, ["--config", str(project.config), *args], env={"CI": "true", **(env or {})}
        )
        assert len(mock.calls) == 0, [call.request.url for call in mock.calls]
    return result


def test_a_profile_gives_its_url_user_and_password_variable(project):
    write(project)
    staging = load_config(project.config, "staging")
    assert (staging.site_name, staging.site_url) == ("staging", "http://127.0.0.1:8101")
    assert staging.user == "admin"  # no user in the profile: the top-level one
    assert staging.password_env == "STAGING_APP_PASSWORD"
    assert staging.password_env_key == f"{project.config}:7: sites.staging.password_env"
    production = load_config(project.config, "production")
    assert (production.site_url, production.user) == ("https://blog.example.org", "editor")
    assert production.site_label == "production (https://blog.example.org)"
    default = load_config(project.config)
    assert (default.site_name, default.site_url, default.password_env) == (
        None,
        "http://127.0.0.1:9",
        None,
    )


def test_site_option_wins_over_cms_sync_site_which_wins_over_default_site(project, monkeypatch):
    write(project, 'default_site = "production"\n' + PROFILES)
    assert load_config(project.config).site_name == "production"
    monkeypatch.setenv("CMS_SYNC_SITE", "staging")
    assert load_config(project.config).site_name == "staging"
    assert load_config(project.config, "production").site_name == "production"


def test_cms_sync_url_and_user_override_the_selected_profile(project, monkeypatch):
    write(project)
    monkeypatch.setenv("CMS_SYNC_URL", "https://other.example.org/")
    monkeypatch.setenv("CMS_SYNC_USER", "robot")
    config = load_config(project.config, "production")
    assert (config.site_url, config.user) == ("https://other.example.org", "robot")
    assert config.password_env == "PRODUCTION_APP_PASSWORD"  # the password stays the profile's


def test_the_password_comes_only_from_the_profiles_variable(project, monkeypatch):
    write(project)
    config = load_config(project.config, "staging")
    monkeypatch.setenv("CMS_SYNC_APP_PASSWORD", "production's password")
    monkeypatch.setenv("STAGING_APP_PASSWORD", SECRET)
    creds = resolve(config.site_url, config.user, config.password_env, config.password_env_key)
    assert (creds.user, creds.password) == ("admin", SECRET)
    monkeypatch.delenv("STAGING_APP_PASSWORD")
    with pytest.raises(CmsSyncError) as error:  # never CMS_SYNC_APP_PASSWORD instead
        resolve(config.site_url, config.user, config.password_env, config.password_env_key)
    assert error.value.message == (
        "no application password for admin at 127.0.0.1: the variable STAGING_APP_PASSWORD "
        f"is not set ({project.config}:7: sites.staging.password_env names it); export "
        "STAGING_APP_PASSWORD with the application password of that site"
    )


def test_an_unset_password_variable_stops_only_the_commands_that_use_that_site(project):
    write(project)
    project.write("a.md", "---\ntitle: A\nslug: a\n---\nText.\n")
    assert run(project, "--site", "staging", "check").exit_code == 0
    result = run(project, "--site", "staging", "plan", env={"PRODUCTION_APP_PASSWORD": SECRET})
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no application password for admin at 127.0.0.1: ")
    assert "STAGING_APP_PASSWORD is not set" in result.stderr and SECRET not in result.output


UNKNOWN = (
    "Error: {where} 'prod': {config} has no [sites.prod] (known sites: production, staging); "
    "did you mean 'production'? give one of them, or add [sites.prod] with site_url, user "
    "and password_env\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["render", "--out", "out"],
        ["new", "A title"],
        ["preview", "--port", "0"],
        ["plan"],
        ["publish"],
        ["pull"],
        ["import"],
        ["status"],
        ["open", "ARTICLE"],
        ["doctor"],
    ],
)
def test_an_unknown_site_is_one_line_and_nothing_is_sent(project, args):
    write(project)
    article = project.write("a.md", "---\ntitle: A\nslug: a\n---\nText.\n")
    args = [str(article) if arg == "ARTICLE" else arg for arg in args]
    env = {"CMS_SYNC_APP_PASSWORD": SECRET, "PRODUCTION_APP_PASSWORD": SECRET}
    expected = UNKNOWN.format(where="--site", config=project.config)
    before = sorted(project.articles.rglob("*"))
    if args[0] != "render":  # render's own --site writes preview pages; the group's is a profile
        result = run(project, args[0], "--site", "prod", *args[1:], env=env)
        assert (result.exit_code, result.stderr) == (1, expected)
    result = run(project, "--site", "prod", *args, env=env)
    assert (result.exit_code, result.stderr) == (1, expected)
    result = run(project, *args, env={**env, "CMS_SYNC_SITE": "prod"})
    expected = UNKNOWN.format(where="CMS_SYNC_SITE", config=project.config)
    assert (result.exit_code, result.stderr) == (1, expected)
    assert sorted(project.articles.rglob("*")) == before  # `new` wrote nothing either


def test_an_empty_site_variable_is_the_error_an_empty_site_option_is(project):
    """CMS_SYNC_SITE="" (a CI variable left unset) is no fallback to the top-level site."""
    write(project)
    result = run(project, "plan", env={"CMS_SYNC_SITE": "", "CMS_SYNC_APP_PASSWORD": SECRET})
    assert (result.exit_code, result.stderr) == (1, (
        f"Error: CMS_SYNC_SITE '' names no site; give one of the sites of {project.config} "
        "(known sites: production, staging), or unset CMS_SYNC_SITE for the top-level site_url\n"
    ))  # fmt: skip


def test_site_after_the_command_wins_over_site_before_it(project):
    write(project)
    result = run(project, "--site", "production", "plan", "--site", "staging")
    assert result.exit_code == 1 and "STAGING_APP_PASSWORD is not set" in result.stderr


def test_unknown_default_site_names_its_line(project):
    write(
        project,
        PROFILES.replace('default_lang = "en"\n', 'default_lang = "en"\ndefault_site = "qa"\n'),
    )
    result = run(project, "check")
    assert result.stderr == (
        f"Error: {project.config}:4: default_site 'qa': {project.config} has no [sites.qa] "
        "(known sites: production, staging); give one of them, or add [sites.qa] with "
        "site_url, user and password_env\n"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'site_url = "https://s.example.org"\npasword_env = "S_PASSWORD"\n',
            "{config}:6: sites.qa.pasword_env: unknown setting (did you mean 'password_env'?)",
        ),
        (
            f'site_url = "https://s.example.org"\napp_password = "{SECRET}"\n',
            "{config}:6: sites.qa.app_password must not be in the config file, which is "
            'committed to git; write password_env = "QA_APP_PASSWORD" and export that variable',
        ),
        (
            f'site_url = "https://s.example.org"\npassword_env = "{SECRET}"\n',
            "{config}:6: sites.qa.password_env: must be the name of an environment variable "
            "(letters, digits and _), never the password itself; e.g. password_env = "
            '"QA_APP_PASSWORD"',
        ),
        (
            'user = "admin"\n',
            '{config}:4: sites.qa: no site_url; add site_url = "https://..." to the table',
        ),
        (
            'site_url = "http://s.example.org"\n',
            "{config}:5: sites.qa.site_url 'http://s.example.org' is plain http to another "
            "machine, which would carry the application password in clear; write "
            "https://s.example.org (plain http only for localhost)",
        ),
        (
            'site_url = "https://s.example.org"\nca_bundle = "missing.pem"\n',
            "{config}:6: sites.qa.ca_bundle {root}/missing.pem: no such file; give the PEM file "
            "of the certificate authority that signed the site's certificate",
        ),
        (
            'site_url = "https://s.example.org"\nuser = 7\n',
            "{config}:6: sites.qa.user: must be text in quotes",
        ),
    ],
)
def test_a_bad_profile_is_one_line_naming_its_key_and_never_a_secret(project, table, message):
    write(project, f'site_url = "http://127.0.0.1:9"\ndefault_lang = "en"\n\n[sites.qa]\n{table}')
    # Checked whether or not the profile is used (ca_bundle: when it is).
    result = run(project, "--site", "qa", "check", env={"QA_APP_PASSWORD": SECRET})
    expected = message.format(config=project.config, root=project.root)
    assert (result.exit_code, result.stderr) == (1, f"Error: {expected}\n")
    assert SECRET not in result.output


def test_sites_must_be_tables_and_the_top_level_takes_no_password_env(project):
    write(project, 'default_lang = "en"\nsites = "staging"\n')
    assert run(project, "check").stderr == (
        f"Error: {project.config}:2: sites: must be tables; write [sites.staging] with "
        "site_url, user and password_env\n"
    )
    write(project, 'default_lang = "en"\npassword_env = "X"\n')
    assert run(project, "check").stderr == (
        f"Error: {project.config}: 'password_env' belongs in a [sites.NAME] table; for the "
        "top-level site set CMS_SYNC_APP_PASSWORD\n"
    )


def test_doctor_and_status_name_the_selected_site(project):
    from cms_sync.doctor import Check, Diagnosis

    found = Diagnosis("https://s.example.org", [Check("reachable", "ok", "yes")], "staging")
    assert found.as_text("utf-8").splitlines()[0] == "Checking staging (https://s.example.org)"
    assert '"profile": "staging"' in found.as_json()
    without = Diagnosis("https://s.example.org", [Check("reachable", "ok", "yes")])
    assert without.as_text("utf-8").splitlines()[0] == "Checking https://s.example.org"


def test_the_help_of_every_command_offers_site(project):
    for command in ("check", "new", "preview", "plan", "publish", "pull", "import", "status",
                    "open", "doctor"):  # fmt: skip
        result = CliRunner().invoke(cli, [command, "--help"])
        assert "--site NAME" in result.output, command
    assert "--site NAME" in CliRunner().invoke(cli, ["--help"]).output
