"""What every command shares: the global options and loading the checked project."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from cms_sync.config import Config, check_ca_bundle, load_config
from cms_sync.errors import ValidationFailed
from cms_sync.findings import Finding, has_errors
from cms_sync.project import Project, load_project

if TYPE_CHECKING:
    from cms_sync.apply import Progress


@dataclass
class Options:
    """Global options, shared by every command through the Click context."""

    config_path: Path | None
    verbosity: int
    debug: bool
    ca_bundle: Path | None = None  # --ca-bundle: wins over CMS_SYNC_CA_BUNDLE and the file
    site: str | None = None  # --site NAME: a [sites.NAME] profile; wins over CMS_SYNC_SITE
    _config: Config | None = None
    project: Project | None = None  # the checked project, once checked_project loaded it

    @property
    def config(self) -> Config:
        if self._config is None:
            config = load_config(self.config_path, self.site)
            if self.ca_bundle is not None:
                bundle = check_ca_bundle(self.ca_bundle, "--ca-bundle")
                config = dataclasses.replace(config, ca_bundle=bundle)
            self._config = config
        return self._config

    def info(self, message: str) -> None:
        """A progress line on stderr, silenced by -q."""
        if self.verbosity >= 0:
            click.echo(message, err=True)


pass_options = click.make_pass_decorator(Options)

SITE_HELP = (
    "The [sites.NAME] profile of cms-sync.toml to use (default: $CMS_SYNC_SITE, then "
    "default_site, then the top-level site_url)."
)


def _set_site(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--site`` after the command name: the same as before it (it wins when both)."""
    options = ctx.find_object(Options)
    if value is not None and options is not None:
        options.site = value
        options._config = None


site_option = click.option(
    "--site",
    metavar="NAME",
    expose_value=False,
    is_eager=True,
    callback=_set_site,
    help=SITE_HELP,
)


def progress_bar(options: Options, as_json: bool) -> Progress | None:
    """The progress bar of a long run (publish, pull, import), or None where nobody
    watches it: stderr not a terminal, CI (the CI variable), -q, or JSON output."""
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    if as_json or in_ci or options.verbosity < 0 or not sys.stderr.isatty():
        return None
    return draw_progress


def draw_progress(label: str, done: int, total: int) -> None:
    """A one-line bar on stderr, redrawn in place, ended by a newline when full."""
    filled = 30 * done // max(total, 1)
    bar = "#" * filled + "." * (30 - filled)
    click.echo(f"\r{label:<8} [{bar}] {done}/{total}", err=True, nl=done >= total)


def print_findings(options: Options, findings: list[Finding], as_json: bool, strict: bool) -> None:
    base = options.config.root
    if as_json:
        errors = has_errors(findings, strict)
        click.echo(
            json.dumps(
                {"ok": not errors, "findings": [f.as_dict(base) for f in findings]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for finding in findings:
        if finding.severity == "error" or options.verbosity >= 0:
            click.echo(finding.format(base), err=True)
            for line in finding.excerpt():  # a syntax error: its line, a caret under the spot
                click.echo(line, err=True)


def checked_project(options: Options, strict: bool = False) -> Project:
    """Load the project; print findings and stop when any error remains."""
    project, findings = load_project(options.config)
    print_findings(options, findings, as_json=False, strict=strict)
    if has_errors(findings, strict):
        count = sum(1 for f in findings if f.severity == "error" or strict)
        raise ValidationFailed(f"{count} problem(s) in the articles; nothing was done")
    options.project = project
    return project


def refuse_app_password_as_post_password(options: Options, app_password: str) -> None:
    """Stop, before anything is sent, when an article's post password is the application
    password in use (from a variable check could not know, ~/.netrc or the prompt):
    WordPress would store it as the post's password, for every editor to read. Check
    already refuses the variables that hold one; this is the last line."""
    wanted = "".join(app_password.split())  # WordPress ignores the spaces in it
    for article in options.project.articles if options.project else []:
        if article.password and "".join(article.password.value.split()) == wanted:
            env = article.password.env
            found = Finding(
                article.path, article.line_of("password_env"), "error",
                f"password_env: {env} holds the application password cms-sync logs in with, "
                "which would be published as the post's password; set it to the post's own "
                "password",
            )  # fmt: skip
            raise Refused(f"{found.format(options.config.root)}\nnothing was sent")


class Refused(ValidationFailed):
    """An article refused once the site's credentials are known: its ``path:line: error:``
    line as it is (no "Error: " before it)."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), file=file, err=True)
