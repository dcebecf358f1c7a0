"""The command line: parse options, call one core function, print the result."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cms_sync import __version__
from cms_sync.config import Config, load_config
from cms_sync.errors import CmsSyncError, ExitCode, ValidationFailed
from cms_sync.findings import Finding, has_errors
from cms_sync.project import Project, load_project

if TYPE_CHECKING:
    from cms_sync.outcome import Report
    from cms_sync.pull import PullReport
    from cms_sync.wordpress import Client as WordPressClient

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass
class Options:
    """Global options, shared by every command through the Click context."""

    config_path: Path | None
    verbosity: int
    debug: bool
    _config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def info(self, message: str) -> None:
        """A progress line on stderr, silenced by -q."""
        if self.verbosity >= 0:
            click.echo(message, err=True)


pass_options = click.make_pass_decorator(Options)


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
@click.pass_context
def cli(
    ctx: click.Context, config_path: Path | None, verbose: int, quiet: int, debug: bool
) -> None:
    """Keep an article series as markdown in git and publish it to WordPress.

    \b
    Exit codes: 0 ok, 1 error, 2 usage error, 3 publish conflicts.
    Example:
      cms-sync check && cms-sync render --out site/
    """
    ctx.obj = Options(config_path, verbose - quiet, debug)
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


def _print_findings(options: Options, findings: list[Finding], as_json: bool, strict: bool) -> None:
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


def _checked_project(options: Options, strict: bool = False) -> Project:
    """Load the project; print findings and stop when any error remains."""
    project, findings = load_project(options.config)
    _print_findings(options, findings, as_json=False, strict=strict)
    if has_errors(findings, strict):
        count = sum(1 for f in findings if f.severity == "error" or strict)
        raise ValidationFailed(f"{count} problem(s) in the articles; nothing was done")
    return project


@cli.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON on stdout.")
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
    _print_findings(options, findings, as_json, strict)
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
    "preview site with working relative links, e.g. for a CI artifact.",
)
@pass_options
def render(options: Options, out: Path, site: bool) -> None:
    """Write the post HTML of every article, exactly as publish sends it.

    Links between articles point at the rendered files next to each other, images
    are copied to OUT/media/; publish puts live permalinks and media URLs there.
    With --site, OUT gets the same pages as `cms-sync preview` (open OUT/index.html).

    \b
    Example:
      cms-sync render --out /tmp/posts
      cms-sync render --site --out public/
    """
    from cms_sync.build import write_render
    from cms_sync.pages import build_pages, write_pages

    project = _checked_project(options)
    written = write_pages(build_pages(project), out) if site else write_render(project, out)
    for path in written:
        options.info(f"wrote {path}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the index in a web browser.")
@pass_options
def preview(options: Options, host: str, port: int, open_browser: bool) -> None:
    """Serve the series locally as readers will see it, reloading on every save.

    An index of the series (drafts, pending and scheduled posts marked) and one page
    per article: the exact post content inside a layout like a WordPress single post,
    with the comment form and the privacy notice beneath it. Saving an article, a
    template, an image or the notice reloads the open page; an error is shown on the
    page and the server keeps running. Stop with Ctrl-C.

    \b
    Example:
      cms-sync preview --open
    """
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
@click.option("--slug", help="Slug (default: derived from the title as WordPress would).")
@pass_options
def new(
    options: Options, title: str, series_name: str | None, lang: str | None, slug: str | None
) -> None:
    """Create an article file with complete front matter, as the next part.

    \b
    Example:
      cms-sync new "Part two: hiring an e-commerce manager"
    """
    from cms_sync.scaffold import new_article

    project, _ = load_project(options.config)
    path = new_article(
        project,
        title,
        series_name=series_name,
        lang=lang,
        slug=slug,
        now=dt.datetime.now().replace(microsecond=0),
    )
    click.echo(str(path))


def _sync(
    options: Options,
    paths: tuple[Path, ...],
    *,
    dry_run: bool,
    force: bool = False,
    adopt: bool = False,
    prune: bool = False,
) -> Report:
    """Validate everything, then connect and run the sync; nothing is sent before."""
    from cms_sync.publish import publish

    project = _checked_project(options)
    client = _client(options)
    show_progress = sys.stderr.isatty() and options.verbosity >= 0
    return publish(
        project,
        client,
        dry_run=dry_run,
        force=force,
        adopt=adopt,
        prune=prune,
        only=list(paths) or None,
        progress=_progress_bar if show_progress else None,
    )


def _client(options: Options) -> WordPressClient:
    """The REST client for the configured site, with the application password."""
    from cms_sync.credentials import resolve
    from cms_sync.wordpress import Client

    config = options.config
    if not config.site_url:
        raise CmsSyncError("no site URL: set site_url in cms-sync.toml or CMS_SYNC_URL")
    creds = resolve(config.site_url, config.user)
    return Client(config.site_url, creds.user, creds.password)


def _progress_bar(label: str, done: int, total: int) -> None:
    """A one-line bar on the terminal, redrawn in place, ended by a newline when full."""
    filled = 30 * done // max(total, 1)
    bar = "#" * filled + "." * (30 - filled)
    click.echo(f"\r{label:<8} [{bar}] {done}/{total}", err=True, nl=done >= total)


def _print_report(report: Report, output: str, diffs: bool = False) -> None:
    from cms_sync import report as fmt

    if output == "text":
        click.echo(fmt.as_text(report, diffs))
    else:
        click.echo(fmt.as_json(report) if output == "json" else fmt.as_markdown(report))
    if report.exit_code != ExitCode.OK:
        sys.exit(report.exit_code)


_paths = click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
_json = click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
_diff = click.option(
    "--diff", "diffs", is_flag=True, help="Show the diff of every update, not only conflicts."
)
_format = click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Report as a table, as JSON, or as markdown (for a pull request).",
)


@cli.command()
@_paths
@_diff
@_format
@_json
@pass_options
def plan(
    options: Options, paths: tuple[Path, ...], diffs: bool, output: str, as_json: bool
) -> None:
    """Show what publish would do, writing nothing (same as publish --dry-run).

    Per article: create, update (with the fields that change), unchanged, conflict
    (edited in WordPress since the last publish) or orphan (on the site, source gone).
    --diff shows what each update changes (notice patterns included); --json adds
    the number of HTTP requests made; --format markdown writes a table with links
    to the live posts and a diff per change, for a pull request.

    \b
    Example:
      CMS_SYNC_APP_PASSWORD=... cms-sync plan --format markdown
    """
    _print_report(_sync(options, paths, dry_run=True), "json" if as_json else output, diffs)


@cli.command()
@_paths
@click.option("--dry-run", is_flag=True, help="Only show what would be done (same as plan).")
@click.option("--force", is_flag=True, help="Overwrite posts edited in WordPress (conflicts).")
@click.option(
    "--adopt",
    is_flag=True,
    help="Take over posts written in wp-admin that hold an article's slug, replacing "
    "their content with the file's (WordPress keeps the old one as a revision).",
)
@click.option("--prune", is_flag=True, help="Move orphaned posts to the trash.")
@_diff
@_format
@_json
@pass_options
def publish(
    options: Options,
    paths: tuple[Path, ...],
    dry_run: bool,
    force: bool,
    adopt: bool,
    prune: bool,
    diffs: bool,
    output: str,
    as_json: bool,
) -> None:
    """Create and update the posts so the site matches the articles.

    Only what changed is written; a post edited in WordPress since the last publish is
    left alone and reported as a conflict (exit 3) unless --force. PATHS limits the run
    to those articles. The application password comes from CMS_SYNC_APP_PASSWORD,
    ~/.netrc or a prompt.

    \b
    Example:
      CMS_SYNC_APP_PASSWORD=... cms-sync publish
    """
    report = _sync(options, paths, dry_run=dry_run, force=force, adopt=adopt, prune=prune)
    _print_report(report, "json" if as_json else output, diffs)


@cli.command()
@_paths
@click.option("--force", is_flag=True, help="Overwrite files with uncommitted changes.")
@click.option("--json", "as_json", is_flag=True, help="Print what was pulled as JSON.")
@pass_options
def pull(options: Options, paths: tuple[Path, ...], force: bool, as_json: bool) -> None:
    """Bring edits made on the site back into the markdown files.

    For every article whose post an editor changed in WordPress since the last publish
    or pull, write the site's version into the file: body (as markdown), title, slug,
    status, date, excerpt, categories, tags and featured image; images the repository
    lacks are downloaded beside the article. Files with uncommitted changes are left
    alone unless --force. Nothing is written unless every conversion succeeded. PATHS
    limits the run to those articles.

    \b
    Example:
      cms-sync pull && git diff && git commit -am "Edits from the site"
    """
    from cms_sync.pull import pull as run_pull

    project = _checked_project(options)
    report = run_pull(project, _client(options), only=list(paths) or None, force=force)
    _print_pulled(options, report, as_json, "pulled")


@cli.command("import")
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the new files (default: the articles folder).",
)
@click.option("--category", "categories", multiple=True, help="Only posts in this category.")
@click.option("--tag", "tags", multiple=True, help="Only posts with this tag.")
@click.option("--author", help="Only posts by this user (login name).")
@click.option(
    "--status",
    default="publish,future,draft,pending,private",
    show_default=True,
    help="Only posts of these statuses (comma-separated).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
@pass_options
def import_(
    options: Options,
    into: Path | None,
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    author: str | None,
    status: str,
    as_json: bool,
) -> None:
    """Turn posts written in wp-admin into article files.

    Every post without cms-sync's identity marker whose slug no article has, and that
    matches the filters, becomes INTO/<slug>.md with full front matter and its body as
    markdown; images are downloaded beside it. The next publish takes the posts over
    and creates nothing. Existing files are never overwritten.

    \b
    Example:
      cms-sync import --category News --status publish
    """
    from cms_sync.pull import import_posts

    project = _checked_project(options)
    folder = into or options.config.articles_dir
    folder.mkdir(parents=True, exist_ok=True)
    report = import_posts(
        project,
        _client(options),
        folder,
        status=status,
        categories=categories,
        tags=tags,
        author=author,
    )
    _print_pulled(options, report, as_json, "imported")


def _print_pulled(options: Options, report: PullReport, as_json: bool, verb: str) -> None:
    """One line per file (warnings on stderr), or JSON."""
    if as_json:
        items = [dataclasses.asdict(r) for r in report.results]
        click.echo(json.dumps({"requests": report.requests, "items": items}, indent=2))
        return
    for result in report.results:
        where = f" (post {result.id})" if result.id else ""
        if result.kind == "missing":
            click.echo(f"missing   {result.path}: no post on the site yet; run publish")
        else:
            click.echo(f"{result.kind:<9} {result.path}{where}")
        for warning in result.warnings:
            click.echo(f"warning: {result.path}: {warning}", err=True)
    done = sum(1 for r in report.results if r.kind == verb)
    options.info(f"{done} file(s) {verb}; {report.requests} HTTP request(s)")
    if any(r.kind == "error" for r in report.results):
        sys.exit(ExitCode.ERROR)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cms-sync")
