"""The commands that talk to the site: plan, publish, pull, import, status, open, doctor.

Each validates everything first (nothing is sent before), connects, calls one core
function (publish.publish, pull.pull, pull.import_posts) and prints its report.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cms_sync.cli_common import (
    Options,
    checked_project,
    pass_options,
    progress_bar,
    refuse_app_password_as_post_password,
    site_option,
)
from cms_sync.errors import CmsSyncError, ExitCode

if TYPE_CHECKING:
    from cms_sync.outcome import Report
    from cms_sync.pull import PullReport
    from cms_sync.wordpress import Client as WordPressClient

MAX_JOBS = 8  # batches of writes in flight at once (publish --jobs)


def _sync(
    options: Options,
    paths: tuple[Path, ...],
    *,
    dry_run: bool,
    force: bool = False,
    adopt: bool = False,
    prune: bool = False,
    jobs: int = 1,
    as_json: bool = False,
) -> Report:
    """Validate everything, then connect and run the sync; nothing is sent before."""
    from cms_sync.publish import publish

    project = checked_project(options)
    client = _client(options)
    return publish(
        project,
        client,
        dry_run=dry_run,
        force=force,
        adopt=adopt,
        prune=prune,
        only=list(paths) or None,
        progress=progress_bar(options, as_json),
        jobs=jobs,
    )


def _client(options: Options) -> WordPressClient:
    """The REST client for the configured site, with the application password."""
    from cms_sync.credentials import resolve
    from cms_sync.tls import VerifiedSession
    from cms_sync.wordpress import Client

    config = options.config
    if not config.site_url:
        raise CmsSyncError("no site URL: set site_url in cms-sync.toml or CMS_SYNC_URL")
    creds = resolve(config.site_url, config.user, config.password_env, config.password_env_key)
    refuse_app_password_as_post_password(options, creds.password)
    session = VerifiedSession(config.ca_bundle)
    return Client(config.site_url, creds.user, creds.password, session=session)


def _print_report(options: Options, report: Report, output: str, diffs: bool = False) -> None:
    """The report; with a site profile selected, headed by the site it was made against,
    so a plan against staging is never mistaken for one against production."""
    from cms_sync import report as fmt

    config = options.config
    if output == "json":
        data = report.as_dict()
        if config.site_name:
            data["site"] = {"name": config.site_name, "url": config.site_url}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif output == "markdown":
        click.echo(fmt.as_markdown(report, config.site_label if config.site_name else ""))
    else:
        if config.site_name:
            click.echo(f"site: {config.site_label}")
        click.echo(fmt.as_text(report, diffs))
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


@click.command()
@_paths
@_diff
@_format
@_json
@site_option
@pass_options
def plan(
    options: Options, paths: tuple[Path, ...], diffs: bool, output: str, as_json: bool
) -> None:
    """Show what publish would do, writing nothing (same as publish --dry-run).

    Per article: create, update (with the fields that change), unchanged, conflict
    (edited in WordPress since the last publish), orphan (on the site, source gone) or
    copy (a second post of an article, left by two runs at once: publish trashes it).
    --diff shows what each update changes (notice patterns included); --json adds
    the number of HTTP requests made; --format markdown writes a table with links
    to the live posts and a diff per change, for a pull request.

    \b
    Example:
      CMS_SYNC_APP_PASSWORD=... cms-sync plan --format markdown
    """
    output = "json" if as_json else output
    report = _sync(options, paths, dry_run=True, as_json=output == "json")
    _print_report(options, report, output, diffs)


@click.command()
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
@click.option(
    "--jobs",
    type=click.IntRange(1, MAX_JOBS),
    default=1,
    show_default=True,
    help=f"Batches of writes (25 posts each) sent at once, 1 to {MAX_JOBS}; more than 1 only "
    "when the site runs that many PHP workers.",
)
@_diff
@_format
@_json
@site_option
@pass_options
def publish(
    options: Options,
    paths: tuple[Path, ...],
    dry_run: bool,
    force: bool,
    adopt: bool,
    prune: bool,
    jobs: int,
    diffs: bool,
    output: str,
    as_json: bool,
) -> None:
    """Create and update the posts so the site matches the articles.

    Only what changed is written; a post edited in WordPress since the last publish is
    left alone and reported as a conflict (exit 3) unless --force. A second post of an
    article as cms-sync wrote it (two runs at once) goes to the trash. PATHS limits the run
    to those articles. --jobs N sends up to N batches of writes at once (a site
    with N PHP workers or more). The application password comes from
    CMS_SYNC_APP_PASSWORD, ~/.netrc or a prompt.

    \b
    Example:
      CMS_SYNC_APP_PASSWORD=... cms-sync publish
    """
    output = "json" if as_json else output
    report = _sync(
        options, paths, dry_run=dry_run, force=force, adopt=adopt, prune=prune, jobs=jobs,
        as_json=output == "json",
    )  # fmt: skip
    _print_report(options, report, output, diffs)


@click.command()
@_paths
@click.option("--force", is_flag=True, help="Overwrite files with uncommitted changes.")
@click.option("--json", "as_json", is_flag=True, help="Print what was pulled as JSON.")
@site_option
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

    project = checked_project(options)
    _say_site(options)
    report = run_pull(
        project,
        _client(options),
        only=list(paths) or None,
        force=force,
        progress=progress_bar(options, as_json),
    )
    _print_pulled(options, report, as_json, "pulled")


@click.command("import")
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
@site_option
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

    project = checked_project(options)
    folder = into or options.config.articles_dir
    folder.mkdir(parents=True, exist_ok=True)
    _say_site(options)
    report = import_posts(
        project,
        _client(options),
        folder,
        status=status,
        categories=categories,
        tags=tags,
        author=author,
        progress=progress_bar(options, as_json),
    )
    _print_pulled(options, report, as_json, "imported")


def _say_site(options: Options) -> None:
    """With a site profile selected, which site a command reads (a line on stderr)."""
    if options.config.site_name:
        options.info(f"site: {options.config.site_label}")


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


@click.command()
@site_option
@pass_options
def status(options: Options) -> None:
    """Show where things stand: what changed here, what changed on the site, what waits.

    Like `git status`, in a few lines: articles changed since their last publish,
    posts editors changed on the site since (conflicts waiting), drafts and scheduled
    parts, orphans. Writes nothing. Exit code: 0 the site matches the files, 3 edits on
    the site wait to be pulled, 4 changes wait to be published, 1 an error.

    \b
    Example:
      cms-sync status || echo "something to do"
    """
    from cms_sync.publish import publish
    from cms_sync.status import as_text, status_of

    project = checked_project(options)
    report = publish(project, _client(options), dry_run=True)
    relative = {o.key: o.path for o in report.outcomes if o.path}
    found = status_of(report, project, relative)
    click.echo(f"On {options.config.site_label}:")
    click.echo(as_text(found))
    sys.exit(found.exit_code)


@click.command("open")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--admin", is_flag=True, help="Open the post's editor in wp-admin instead.")
@site_option
@pass_options
def open_(options: Options, path: Path, admin: bool) -> None:
    """Open an article's post on the site (or in wp-admin) in the web browser.

    The address is printed too, for a terminal without a browser.

    \b
    Example:
      cms-sync open articles/01-ecommerce-manager-competencies.md --admin
    """
    _say_site(options)
    report = _sync(options, (path,), dry_run=True)
    found = [o for o in report.outcomes if o.item == "post" and o.id]
    if not found:
        raise CmsSyncError(f"{path}: no post on the site yet; run cms-sync publish first")
    post = found[0]
    url = f"{options.config.site_url.rstrip('/')}/wp-admin/post.php?post={post.id}&action=edit"
    url = url if admin else post.url
    click.echo(url)
    click.launch(url)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@site_option
@pass_options
def doctor(options: Options, as_json: bool) -> None:
    """Check that a site is ready for cms-sync, writing nothing.

    One line per check: the site answers, no firewall page is in the way, the REST API
    (and its address), application passwords, that the credentials reach WordPress (a
    wrong password is told apart from a server that strips the Authorization header),
    the user's capabilities, the batch API, synced patterns, the companion plugin and
    the WordPress version. Each problem says what to do. Exit code 1 when a check fails.

    \b
    Example:
      CMS_SYNC_APP_PASSWORD=... cms-sync doctor
    """
    from cms_sync.credentials import resolve
    from cms_sync.doctor import diagnose
    from cms_sync.tls import VerifiedSession

    config = options.config
    if not config.site_url:
        raise CmsSyncError("no site URL: set site_url in cms-sync.toml or CMS_SYNC_URL")
    creds = resolve(config.site_url, config.user, config.password_env, config.password_env_key)
    session = functools.partial(VerifiedSession, config.ca_bundle)
    found = diagnose(
        config.site_url, creds.user, creds.password, session=session, profile=config.site_name
    )
    click.echo(found.as_json() if as_json else found.as_text(sys.stdout.encoding))
    if not found.ok:
        sys.exit(ExitCode.ERROR)


def site_preview(options: Options, paths: tuple[Path, ...], as_json: bool) -> None:
    """`cms-sync preview --site NAME`: every article checked, then the changed ones sent as
    drafts or autosaves; one `PATH: URL` line (or JSON) per article."""
    from cms_sync import site_preview as previews

    project = checked_project(options)
    result = previews.preview_on_site(project, _client(options), list(paths) or None)
    click.echo(previews.as_json(result) if as_json else previews.as_text(result))
    for line in [*result.skipped, result.login_note if result.previews else ""]:
        if line:
            click.echo(f"warning: {line}", err=True)
    if not result.previews and not result.skipped:
        options.info("nothing to preview: the site already shows every article as it is")
    sys.exit(result.exit_code)
