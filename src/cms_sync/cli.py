"""The command line: parse options, call one core function, print the result."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from cms_sync import __version__, cli_site
from cms_sync.cli_common import (
    SITE_HELP,
    Options,
    checked_project,
    pass_options,
    print_findings,
    site_option,
)
from cms_sync.errors import CmsSyncError, ExitCode
from cms_sync.findings import has_errors
from cms_sync.project import load_project

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Turns unexpected exceptions into one line; --debug shows the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except click.ClickException:
            if _debug(ctx):
                traceback.print_exc()
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None
        except Exception as exc:
            if _debug(ctx):
                traceback.print_exc()
            raise CmsSyncError(
                f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"
            ) from exc


def _debug(ctx: click.Context) -> bool:
    return isinstance(ctx.obj, Options) and ctx.obj.debug


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="cms-sync")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: cms-sync.toml here or in the nearest parent).",
)
@click.option("-v", "--verbose", count=True, help="Say more: every HTTP request of publish.")
@click.option("-q", "--quiet", count=True, help="Say less: only errors.")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.option("--site", "site", metavar="NAME", help=SITE_HELP)
@click.option(
    "--ca-bundle",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Verify the site's certificate with this CA bundle (PEM), for a private CA "
    "(default: $CMS_SYNC_CA_BUNDLE, ca_bundle in cms-sync.toml, the system's CAs).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: Path | None,
    verbose: int,
    quiet: int,
    debug: bool,
    site: str | None,
    ca_bundle: Path | None,
) -> None:
    """Keep an article series as markdown in git and publish it to WordPress.

    \b
    Exit codes: 0 ok, 1 error, 2 usage error, 3 publish conflicts.
    Example:
      cms-sync check && cms-sync render --out site/
      cms-sync --site staging publish
    """
    ctx.obj = Options(config_path, verbose - quiet, debug, ca_bundle, site)
    # Retries are worth a line in a CI log; -v also shows every HTTP request, -q neither.
    _log_to_stderr(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (Click's test runner swaps it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _log_to_stderr(level: int) -> None:
    """cms-sync's own log lines (not the libraries') on stderr, once per process."""
    logger = logging.getLogger("cms_sync")
    logger.setLevel(level)
    if not logger.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


@cli.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON on stdout.")
@site_option
@pass_options
def check(options: Options, strict: bool, as_json: bool) -> None:
    """Validate every article and notice, reporting all problems at once.

    Each problem is printed as PATH:LINE: SEVERITY: MESSAGE. Exits 1 when there is
    an error (or, with --strict, a warning), 0 otherwise.

    \b
    Example:
      cms-sync check --strict
    """
    project, findings = load_project(options.config)
    print_findings(options, findings, as_json, strict)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if not as_json:
        options.info(
            f"{len(project.articles)} article(s), {len(project.notices)} notice(s): "
            f"{errors} error(s), {warnings} warning(s)"
        )
    if has_errors(findings, strict):
        sys.exit(ExitCode.ERROR)


@cli.command()
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default="rendered",
    show_default=True,
    help="Folder for <slug>.html files (relative to the current folder).",
)
@click.option(
    "--site",
    is_flag=True,
    help="Write whole preview pages (index, layout, comment form, notice) instead: a static "
    "preview site with working relative links, e.g. for a CI artifact. (Not a site profile: "
    "render talks to no site; `cms-sync --site NAME render` still checks the name.)",
)
@click.option(
    "--wordpress",
    "version",
    type=click.Choice(["6.1", "7.0"]),
    default="7.0",
    show_default=True,
    help='Write blocks (content_format "blocks") as this WordPress version\'s editor does.',
)
@pass_options
def render(options: Options, out: Path, site: bool, version: str) -> None:
    """Write the post HTML of every article, exactly as publish sends it.

    Links between articles point at the rendered files next to each other, images
    are copied to OUT/media/; publish puts live permalinks and media URLs there.
    With --site, OUT gets the same pages as `cms-sync preview` (open OUT/index.html).

    \b
    Example:
      cms-sync render --out /tmp/posts
      cms-sync render --site --out public/
      cms-sync render --wordpress 6.1 --out /tmp/posts
    """
    from cms_sync.blocks import PROFILES
    from cms_sync.build import write_render
    from cms_sync.pages import build_pages, write_pages

    project = checked_project(options)
    profile = PROFILES[version]
    written = (
        write_pages(build_pages(project), out) if site else write_render(project, out, profile)
    )
    for path in written:
        options.info(f"wrote {path}")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the index in a web browser.")
@click.option("--json", "as_json", is_flag=True, help="With --site: the links as JSON.")
@site_option
@pass_options
def preview(
    options: Options,
    paths: tuple[Path, ...],
    host: str,
    port: int,
    open_browser: bool,
    as_json: bool,
) -> None:
    """Serve the series locally as readers will see it, reloading on every save.

    An index of the series (drafts, pending and scheduled posts marked) and one page
    per article: the exact post content inside a layout like a WordPress single post,
    with the comment form and the privacy notice beneath it. Saving an article, a
    template, an image or the notice reloads the open page; an error is shown on the
    page and the server keeps running. Stop with Ctrl-C.

    With --site NAME, on the real site instead: the changed articles (or PATHs) are
    sent as drafts or autosaves, never changing what readers see, and one line
    `PATH: URL` per article gives a link to it in the site's theme (with the companion
    plugin, one that works without logging in, for two days).

    \b
    Example:
      cms-sync preview --open
      cms-sync preview --site staging articles/02-next.md
    """
    if options.site:
        cli_site.site_preview(options, paths, as_json)
        return
    if paths or as_json:
        raise click.UsageError("PATH arguments and --json need --site NAME (a preview on the site)")
    import webbrowser

    from cms_sync.preview import serve

    def ready(url: str) -> None:
        click.echo(f"Serving {url} (Ctrl-C to stop)", err=True)
        if open_browser:
            webbrowser.open(url)

    serve(options.config.path, host, port, ready)


@cli.command()
@click.argument("title")
@click.option("--series", "series_name", help="Series name (default: the existing series).")
@click.option("--lang", help="Language code (default: default_lang of the config).")
@click.option(
    "--slug",
    help="Slug (default: the title's, as WordPress would store it; for a title not in Latin "
    "letters it is proposed and asked at a terminal, and required without one).",
)
@click.option(
    "--part",
    type=click.IntRange(min=1),
    help="Part number in the series (default: the next one).",
)
@click.option(
    "--renumber", is_flag=True, help="When --part is taken, move it and the later parts one up."
)
@click.option("--page", is_flag=True, help="A page (type: page), not a post of the series.")
@click.option(
    "--parent",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --page: the parent page's article file; the new file goes beside it.",
)
@site_option
@pass_options
def new(
    options: Options,
    title: str,
    series_name: str | None,
    lang: str | None,
    slug: str | None,
    part: int | None,
    renumber: bool,
    page: bool,
    parent: Path | None,
) -> None:
    """Create an article file with complete front matter, as the next part (or a page).

    The file name is ASCII: NN-slug.md, or part-NN.md for a slug in other letters; a page's
    is slug.md (page.md), beside its parent's file with --parent.

    \b
    Example:
      cms-sync new "Part two: hiring an e-commerce manager"
      cms-sync new "ইকমার্স ম্যানেজারের দশটি দক্ষতা" --slug ten-skills --part 2 --renumber
      cms-sync new "Our team" --page --parent articles/about.md
    """
    from cms_sync import credentials, scaffold

    if parent is not None and not page:
        raise click.UsageError("--parent needs --page (only a page has a parent)")
    if page and (series_name or part or renumber):
        raise click.UsageError("--series, --part and --renumber are for posts, not --page")
    project, _ = load_project(options.config)
    series = None if page else scaffold.series_name(project, series_name)
    placement = (
        scaffold.place_page(project, parent)
        if page
        else scaffold.place_part(project, series, part, renumber)
    )
    proposal = scaffold.propose_slug(project, title, series)
    chosen = scaffold.resolve_slug(project, proposal, slug, credentials.interactive())
    path, moved = scaffold.new_article(
        project,
        title,
        slug=chosen,
        placement=placement,
        lang=lang,
        now=dt.datetime.now().replace(microsecond=0),
    )
    for moved_path in moved:
        options.info(f"renumbered {moved_path}")
    click.echo(str(path))


for command in (
    cli_site.plan, cli_site.publish, cli_site.pull, cli_site.import_, cli_site.status,
    cli_site.open_, cli_site.doctor,
):  # fmt: skip
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cms-sync")
