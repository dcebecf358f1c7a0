"""An in-memory WordPress for the fast tests, behind a `requests` transport adapter.

cms-sync's real :class:`~cms_sync.wordpress.Client` (discovery, paging, batches, retries)
talks to it unchanged: :meth:`FakeWordPress.client` hands the Client a Session whose
transport is this fake. It models what cms-sync uses, as WordPress 6.1 does it (read in its
source, and ../shared/DESIGN.md "WordPress facts"):

- the front page's ``Link: <...>; rel="https://api.w.org/"``; ``/wp-json/`` or ``?rest_route=``;
- application passwords (a wrong one is silently anonymous); ``/wp/v2/users/me`` with the
  capabilities of an administrator, an editor or an author;
- ``/wp/v2/posts`` and ``/wp/v2/blocks``: lists (status, search in title/content/excerpt,
  slug, include, context, ``_fields``, pages with X-WP-Total and a 400 past the last page),
  creates with unique slugs (-2, -3), updates that always bump ``modified_gmt``, DELETE to
  the trash (slug ``x__trashed``, 410 the second time). In the edit context a list leaves
  out what the user may not edit (for an Author, other users' posts), after paging, as
  WordPress does; the view context shows everyone's published posts;
- ``/wp/v2/media`` uploads (raw body and Content-Disposition; ``x-1.png`` for a second file
  of the same name); ``/wp/v2/categories`` and ``/tags`` (400 ``term_exists`` with ``term_id``);
- ``/wp/v2/block-types``: the core block types of WordPress 7.0 (``block_editor = "6.1"``:
  of 6.1), recorded from the real sites;
- ``/batch/v1``: at most 25 sub-requests, 207 with a status and a body for each;
- for users without ``unfiltered_html``, a small kses: ``<script>``, ``<style>``, ``<iframe>``,
  ``<object>`` and ``<embed>`` tags are dropped (their text stays), a bare ``&`` becomes
  ``&amp;``, ``--`` inside comments becomes ``-``.

Simplified on purpose: ``rendered`` only expands synced patterns and drops block comments
(no wpautop, no texturize); the site's time zone is UTC; no revisions, pages or comments.

Faults for the error paths: :meth:`~FakeWordPress.refuse` answers chosen requests (also
inside a batch) with an error instead of running them, :meth:`~FakeWordPress.lose_answer`
runs a request and then raises a connection error, :meth:`~FakeWordPress.unavailable`
answers 503 with an HTML page and Retry-After. Every request is recorded in ``calls``, so
tests can count requests and check that nothing was written.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from cms_sync.wordpress import Client

URL = "https://blog.example"
# The capabilities of each role (populate_roles), as far as publishing goes.
AUTHOR_CAPS = set(
    "read level_0 level_1 level_2 upload_files edit_posts edit_published_posts publish_posts "
    "delete_posts delete_published_posts".split()
)
EDITOR_CAPS = AUTHOR_CAPS | set(
    "level_3 level_4 level_5 level_6 level_7 moderate_comments manage_categories manage_links "
    "unfiltered_html edit_others_posts delete_others_posts edit_private_posts read_private_posts "
    "delete_private_posts edit_pages edit_others_pages edit_published_pages publish_pages".split()
)
ADMIN_CAPS = EDITOR_CAPS | set(
    "level_8 level_9 level_10 switch_themes edit_themes activate_plugins edit_plugins edit_users "
    "list_users create_users manage_options import".split()
)
ROLES = {"administrator": ADMIN_CAPS, "editor": EDITOR_CAPS, "author": AUTHOR_CAPS}
TYPES = {"posts": "post", "pages": "page", "blocks": "wp_block", "media": "attachment"}
STATUSES = ("publish", "future", "draft", "pending", "private")
LIVE = ("publish", "future")  # statuses that need the *_published_posts capabilities
MAX_BATCH = 25
MAINTENANCE = (
    "<!DOCTYPE html><html><body><h1>Briefly unavailable for scheduled maintenance. "
    "Check back in a minute.</h1></body></html>"
)
MESSAGES = {  # WordPress's own words, by error code
    "rest_no_route": "No route was found matching the URL and request method.",
    "rest_not_logged_in": "You are not currently logged in.",
    "rest_forbidden_context": "Sorry, you are not allowed to edit posts in this post type.",
    "rest_forbidden_status": "Status is forbidden.",
    "rest_forbidden": "Sorry, you are not allowed to do that.",
    "rest_cannot_create": "Sorry, you are not allowed to create posts as this user.",
    "rest_cannot_edit": "Sorry, you are not allowed to edit this post.",
    "rest_cannot_delete": "Sorry, you are not allowed to delete this post.",
    "rest_already_trashed": "The post has already been deleted.",
    "rest_cannot_publish": "Sorry, you are not allowed to publish posts in this post type.",
    "rest_cannot_assign_term": "Sorry, you are not allowed to assign the provided terms.",
    "rest_post_invalid_id": "Invalid post ID.",
    "rest_post_invalid_page_number": "The page number requested is larger than the number of "
    "pages available.",
    "rest_upload_no_data": "No data supplied.",
    "rest_upload_no_content_disposition": "No Content-Disposition supplied.",
    "rest_batch_not_allowed": "The requested route does not support batch requests.",
    "rest_missing_callback_param": "Missing parameter(s): name",
    "term_exists": "A term with the name provided already exists in this taxonomy.",
    "db_insert_error": "Could not insert post into the database.",
}
NO_UPLOADS = "Sorry, you are not allowed to upload media on this site."
NO_TERMS = "Sorry, you are not allowed to create terms in this taxonomy."


class RestError(Exception):
    """A WordPress error answer: ``{"code", "message", "data": {"status", ...}}``."""

    def __init__(self, status: int, code: str, message: str = "", **data: Any) -> None:
        self.status, self.code, self.data = status, code, data
        self.message = message or MESSAGES.get(code, "")
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


@dataclass
class User:
    id: int
    login: str
    password: str
    role: str

    def can(self, cap: str) -> bool:
        return cap in ROLES[self.role]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class Post:
    """A row of wp_posts: a post, a synced pattern (wp_block) or an attachment."""

    id: int
    type: str
    author: int
    status: str = "draft"
    slug: str = ""
    title: str = ""
    content: str = ""
    excerpt: str = ""
    date: datetime = field(default_factory=_now)
    modified: datetime = field(default_factory=_now)
    comment_status: str = "open"
    categories: list[int] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    featured_media: int = 0
    trashed_from: str = ""  # the status before the trash (_wp_trash_meta_status)
    desired_slug: str = ""  # the slug before the trash (_wp_desired_post_slug)
    file: str = ""  # attachments: the stored file name


@dataclass
class Term:
    id: int
    taxonomy: str  # category or post_tag
    name: str  # stored HTML-escaped, as WordPress does
    slug: str


@dataclass
class Call:
    """One request as the site received it (a batch's sub-requests are calls too)."""

    method: str
    route: str
    params: dict[str, str]
    body: Any
    user: User | None
    in_batch: bool = False
    args: tuple[str, ...] = ()  # the route's groups, filled in when it is matched

    def __str__(self) -> str:
        return f"{self.method} {self.route}"


@dataclass
class Fault:
    method: str  # regular expressions the whole method and route must match
    route: str
    times: int | None  # None: every time
    when: Callable[[dict[str, Any]], bool] | None = None  # a condition on the JSON body
    error: RestError | None = None  # answered instead of running the request
    html: bool = False  # the answer is MAINTENANCE with Retry-After (never inside a batch)
    lose: type[Exception] | None = None  # run the request, then raise this
    retry_after: str = ""

    def applies(self, call: Call) -> bool:
        if self.times == 0 or (self.html and call.in_batch):
            return False
        if not (re.fullmatch(self.method, call.method) and re.fullmatch(self.route, call.route)):
            return False
        return self.when is None or (isinstance(call.body, dict) and self.when(call.body))


class FakeWordPress:
    """One WordPress site, held in memory; see the module docstring."""

    def __init__(self, url: str = URL, *, pretty_permalinks: bool = True) -> None:
        self.url = url
        self.pretty_permalinks = pretty_permalinks
        self.block_editor = "7.0"  # whose block types /wp/v2/block-types answers
        roles = {"admin": "administrator", "editor": "editor", "author": "author"}
        self.users = {
            login: User(n, login, f"{login} app pass word", role)
            for n, (login, role) in enumerate(roles.items(), 1)
        }
        self.posts: dict[int, Post] = {}
        self.terms: dict[int, Term] = {1: Term(1, "category", "Uncategorized", "uncategorized")}
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.slept: list[float] = []  # what the clients made with the fake wanted to sleep
        self._next_id = 1
        self._clock = datetime(2000, 1, 1)

    # -- for tests ------------------------------------------------------------------------

    def client(self, user: str = "admin", **options: Any) -> Client:
        """cms-sync's Client logged in as ``user`` (admin, editor, author); sleeps recorded."""
        options.setdefault("sleep", self.slept.append)
        login = self.users[user]
        return Client(self.url, login.login, login.password, session=self.session(), **options)

    def session(self) -> requests.Session:
        session = requests.Session()
        session.mount(self.url, Transport(self))
        return session

    def install(self, monkeypatch: Any) -> None:
        """Send every Session's requests for this site here: for code that makes its own
        Client, such as the CLI (``monkeypatch`` is pytest's fixture)."""
        transport, original = Transport(self), requests.Session.get_adapter

        def get_adapter(session: requests.Session, url: str) -> BaseAdapter:
            return transport if url.startswith(self.url) else original(session, url)

        monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)

    def api(self, method: str, route: str, user: str = "admin", **params: Any) -> Any:
        """A request made behind cms-sync's back, as in wp-admin: not recorded, no faults."""
        body = params.pop("json", {})
        call = Call(method, route, {k: str(v) for k, v in params.items()}, body, self.users[user])
        status, data, _ = self._dispatch(call)
        assert status < 400, data
        return data

    def items(self, base: str = "posts", *statuses: str) -> list[Post]:
        """The posts (or ``blocks``, ``media``) in ID order; of the given statuses, or all."""
        found = [p for p in self.posts.values() if p.type == TYPES[base]]
        return [p for p in found if not statuses or p.status in statuses]

    def count(self, method: str = ".*", route: str = ".*", *, in_batch: bool = False) -> int:
        """Requests (with ``in_batch``: sub-requests of batches) matching the two patterns."""
        return sum(
            c.in_batch == in_batch and bool(re.fullmatch(method, c.method))
            and bool(re.fullmatch(route, c.route)) for c in self.calls
        )  # fmt: skip

    def writes(self) -> list[str]:
        """Every request that may change the site, as ``"POST /batch/v1"``."""
        return [str(c) for c in self.calls if not c.in_batch and c.method != "GET"]

    def refuse(
        self, method: str, route: str, *, status: int = 500, code: str = "db_insert_error",
        when: Callable[[dict[str, Any]], bool] | None = None, times: int | None = None,
    ) -> None:  # fmt: skip
        """Answer matching requests (also inside a batch) with an error, running nothing."""
        self.faults.append(Fault(method, route, times, when, RestError(status, code)))

    def lose_answer(
        self, method: str, route: str, *, times: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
        error: type[Exception] = requests.ConnectionError,
    ) -> None:  # fmt: skip
        """Run matching requests, then lose their answers: the client sees ``error``."""
        self.faults.append(Fault(method, route, times, when, lose=error))

    def unavailable(
        self, method: str = ".*", route: str = ".*", *, times: int = 1, status: int = 503,
        retry_after: str = "7",
    ) -> None:  # fmt: skip
        """Answer as a host in maintenance mode (HTML and Retry-After), running nothing."""
        error = RestError(status, "")
        self.faults.append(Fault(method, route, times, None, error, True, retry_after=retry_after))

    # -- HTTP -----------------------------------------------------------------------------

    def handle(self, request: requests.PreparedRequest) -> requests.Response:
        parts = urlsplit(request.url or "")
        params = dict(parse_qsl(parts.query, keep_blank_values=True))  # PHP: the last one wins
        user = self._login(request.headers.get("Authorization", ""))
        if parts.path.startswith("/wp-json") and not self.pretty_permalinks:
            # A server that routes only to files: /wp-json/ is its 404 page, not WordPress's.
            return _response(request, 404, b"<html>Not Found</html>", {"Content-Type": "text/html"})
        if parts.path.startswith("/wp-json"):
            route = unquote(parts.path.removeprefix("/wp-json")) or "/"
        elif "rest_route" in params:
            route = params.pop("rest_route")
        elif parts.path in ("", "/"):
            return self._front_page(request)
        else:
            return _response(request, 404, b"<html>Not Found</html>", {"Content-Type": "text/html"})
        call = Call(request.method or "GET", route, params, _body(request), user)
        self.calls.append(call)
        fault = self._fault(call, lose=False)
        if fault is not None and fault.error is not None:
            if fault.html:
                headers = {"Content-Type": "text/html", "Retry-After": fault.retry_after}
                return _response(request, fault.error.status, MAINTENANCE.encode(), headers)
            return _json_response(request, fault.error.status, fault.error.body())
        if call.method == "POST" and route == "/wp/v2/media":
            call.body = {"file": request.body, "headers": request.headers}
        status, data, headers = self._dispatch(call)
        if "_fields" in params and status < 300:
            data = _only(data, _list(params["_fields"]))
        lost = self._fault(call, lose=True)
        if lost is not None and lost.lose is not None:
            raise lost.lose(f"fake: the answer to {call} was lost")
        return _json_response(request, status, data, headers)

    def _front_page(self, request: requests.PreparedRequest) -> requests.Response:
        self.calls.append(Call("GET", "front page", {}, None, None))
        root = f"{self.url}/wp-json/" if self.pretty_permalinks else f"{self.url}/?rest_route=/"
        links = f'<{root}>; rel="https://api.w.org/", <{self.url}/>; rel=shortlink'
        headers = {"Link": links, "Content-Type": "text/html"}
        return _response(request, 200, b"<html>blog</html>", headers)

    def _login(self, header: str) -> User | None:
        """HTTP Basic with an application password; a wrong one is silently anonymous."""
        if not header.startswith("Basic "):
            return None
        login, _, password = base64.b64decode(header[6:]).decode().partition(":")
        user = self.users.get(login)
        if user is None or _letters(password) != _letters(user.password):
            return None
        return user

    def _fault(self, call: Call, *, lose: bool) -> Fault | None:
        for fault in self.faults:
            if (fault.lose is not None) == lose and fault.applies(call):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    # -- routing --------------------------------------------------------------------------

    def _dispatch(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        """Run one REST request: (status, JSON data, headers)."""
        try:
            handler = self._route(call)
            _validate(call)
            return handler(call)
        except RestError as error:
            return error.status, error.body(), {}

    def _route(self, call: Call) -> Callable[[Call], tuple[int, Any, dict[str, str]]]:
        table: list[tuple[str, str, Callable[[Call], Any]]] = [
            ("GET", r"/", self._index),
            ("GET", r"/wp/v2/users/me", self._me),
            ("GET", r"/wp/v2/users", self._list_users),
            ("GET", r"/wp/v2/block-types", self._block_types),
            ("GET", r"/wp/v2/taxonomies", self._taxonomies),
            ("GET", r"/wp/v2/(posts|pages|blocks|media)", self._list_posts),
            ("POST", r"/wp/v2/(posts|pages|blocks)", self._create_post),
            ("POST", r"/wp/v2/media", self._upload),
            ("GET", r"/wp/v2/(posts|pages|blocks)/(\d+)", self._get_post),
            ("POST|PUT|PATCH", r"/wp/v2/(posts|pages|blocks)/(\d+)", self._update_post),
            ("DELETE", r"/wp/v2/(posts|pages|blocks)/(\d+)", self._delete_post),
            ("GET", r"/wp/v2/(categories|tags)", self._list_terms),
            ("POST", r"/wp/v2/(categories|tags)", self._create_term),
            ("POST", r"/batch/v1", self._batch),
        ]
        for methods, pattern, handler in table:
            found = re.fullmatch(pattern, call.route)
            if found and re.fullmatch(methods, call.method):
                call.args = found.groups()
                return handler
        raise RestError(404, "rest_no_route")

    def _me(self, call: Call) -> Any:
        user = call.user
        if user is None:
            raise RestError(401, "rest_not_logged_in")
        data: dict[str, Any] = {"id": user.id, "name": user.login.title(), "slug": user.login}
        if call.params.get("context") == "edit":
            caps = {user.role: True, **dict.fromkeys(sorted(ROLES[user.role]), True)}
            data |= {"username": user.login, "roles": [user.role], "capabilities": caps}
        return 200, data, {}

    def _taxonomies(self, _call: Call) -> Any:
        """Core's two taxonomies shown in the REST API, keyed by slug as WordPress answers."""
        return 200, {
            slug: {"slug": slug, "rest_base": base, "rest_namespace": "wp/v2",
                   "hierarchical": slug == "category", "types": ["post"]}
            for slug, base in (("category", "categories"), ("post_tag", "tags"))
        }, {}  # fmt: skip

    def _block_types(self, call: Call) -> Any:
        """The core block types as WordPress ``self.block_editor`` ("7.0" or "6.1") answers
        blocks.BLOCK_TYPES_QUERY (recorded from the real ones, tests/golden/blocks/)."""
        if call.user is None:
            raise RestError(401, "rest_cannot_view")
        path = Path(__file__).parent / "golden" / "blocks" / self.block_editor / "block-types.json"
        return 200, json.loads(path.read_text("utf-8")), {}

    def _index(self, call: Call) -> Any:
        """The REST index: the namespaces the site serves (no companion plugin here)."""
        return 200, {"namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1"]}, {}

    def _list_users(self, call: Call) -> Any:
        """As WordPress lists them to whoever may not list_users: authors of published
        posts only (``slug`` filters by login)."""
        published = {p.author for p in self.posts.values() if p.status == "publish"}
        slugs = _list(call.params.get("slug", ""))
        found = [
            {"id": u.id, "name": u.login.title(), "slug": u.login}
            for u in self.users.values()
            if (u.id in published or _can(call.user, "list_users"))
            and (not slugs or u.login in slugs)
        ]
        return 200, found, {"X-WP-Total": str(len(found)), "X-WP-TotalPages": "1"}

    # -- posts, patterns, media -----------------------------------------------------------

    def _list_posts(self, call: Call) -> Any:
        [base], params, user = call.args, call.params, call.user
        edit = params.get("context") == "edit"
        if edit and not _can(user, "edit_posts"):
            raise _denied(user, "rest_forbidden_context")
        default = "inherit" if base == "media" else "publish"
        statuses = _list(params.get("status", default))
        if statuses != [default] and not _can(user, "edit_posts"):
            raise _denied(user, "rest_forbidden_status")
        if "any" in statuses:  # every status but the trash
            statuses = [*STATUSES, *(s for s in statuses if s == "trash")]
        found = [p for p in self.items(base) if p.status in statuses]
        if "search" in params:
            found = [p for p in found if _search(params["search"], p.title, p.content, p.excerpt)]
        if "slug" in params:
            found = [p for p in found if p.slug in map(sanitize_title, _list(params["slug"]))]
        if "include" in params:
            found = [p for p in found if str(p.id) in _list(params["include"])]
        for taxonomy in ("categories", "tags"):  # any of the listed terms
            if taxonomy in params:
                wanted = {int(i) for i in _list(params[taxonomy])}
                found = [p for p in found if wanted & set(getattr(p, taxonomy))]
        if "author" in params:
            found = [p for p in found if str(p.author) in _list(params["author"])]
        found.sort(key=lambda p: (p.date, p.id), reverse=True)
        pages, chunk = _page(found, params, "rest_post_invalid_page_number")
        # As in WordPress, what the user may not see is left out after paging: the totals
        # still count it, and a page may hold fewer items than per_page.
        allowed = self._can_edit if edit else self._can_read
        data = [self._post_data(p, edit) for p in chunk if allowed(user, p)]
        return 200, data, {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)}

    def _get_post(self, call: Call) -> Any:
        post, edit = self._post(call), call.params.get("context") == "edit"
        if edit and not self._can_edit(call.user, post):
            raise _denied(call.user, "rest_forbidden_context", MESSAGES["rest_cannot_edit"])
        if not edit and not self._can_read(call.user, post):
            raise _denied(call.user, "rest_forbidden")
        return 200, self._post_data(post, edit), {}

    def _create_post(self, call: Call) -> Any:
        user, post_type = call.user, TYPES[call.args[0]]
        if not _can(user, "publish_posts" if post_type == "wp_block" else "edit_posts"):
            raise _denied(user, "rest_cannot_create")
        assert user is not None
        post = Post(0, post_type, user.id, comment_status="open" if post_type == "post" else "")
        self._save(post, call.body, user)
        post.id, self._next_id = self._next_id, self._next_id + 1
        self.posts[post.id] = post
        location = {"Location": f"{self.url}/wp-json/wp/v2/{call.args[0]}/{post.id}"}
        return 201, self._post_data(post, True), location

    def _update_post(self, call: Call) -> Any:
        post = self._post(call)
        if call.user is None or not self._can_edit(call.user, post):
            raise _denied(call.user, "rest_cannot_edit")
        self._save(post, call.body, call.user)
        return 200, self._post_data(post, True), {}

    def _delete_post(self, call: Call) -> Any:
        post = self._post(call)
        if not self._can_delete(call.user, post):
            raise _denied(call.user, "rest_cannot_delete")
        if call.params.get("force") in ("true", "1"):
            previous = self._post_data(self.posts.pop(post.id), True)
            return 200, {"deleted": True, "previous": previous}, {}
        if post.status == "trash":
            raise RestError(410, "rest_already_trashed")
        post.trashed_from, post.status = post.status, "trash"
        if not post.slug.endswith("__trashed"):  # frees the slug for other posts
            post.desired_slug, post.slug = post.slug, post.slug[:191] + "__trashed"
        post.modified = self._tick()
        return 200, self._post_data(post, True), {}

    def _save(self, post: Post, body: dict[str, Any], user: User) -> None:
        """wp_insert_post, as far as cms-sync needs it: every check first, then the writes."""
        status = body.get("status", post.status)
        publishing = status != post.status and status in ("publish", "private", "future")
        if publishing and not user.can("publish_posts"):
            raise RestError(403, "rest_cannot_publish")
        for taxonomy, key in (("category", "categories"), ("post_tag", "tags")):
            if any(getattr(self.terms.get(int(i)), "taxonomy", "") != taxonomy
                   for i in body.get(key, [])):  # fmt: skip
                raise RestError(403, "rest_cannot_assign_term")  # unknown terms, too
        for name in ("title", "content", "excerpt"):
            if name in body:
                value = _raw(body[name])
                setattr(post, name, value if name == "title" else _kses(value, user))
        post.comment_status = body.get("comment_status", post.comment_status)
        if "date_gmt" in body or "date" in body:
            post.date = _parse_date(body.get("date_gmt") or body["date"]) or post.date
        if status == "publish" and post.date > _now():
            status = "future"
        elif status == "future" and post.date <= _now():
            status = "publish"
        if post.status == "trash" and status != "trash" and post.desired_slug:
            body = {**body, "slug": post.desired_slug}  # out of the trash, the old slug is back
            post.desired_slug = ""
        slug = sanitize_title(str(body["slug"])) if "slug" in body else post.slug
        if not slug and status in ("publish", "private", "future"):
            slug = sanitize_title(post.title)
        # A REST create makes even a draft's slug unique; an update of a draft does not.
        if slug and (status not in ("draft", "pending") or not post.id):
            slug = self._unique_slug(slug, post)
        post.slug, post.status = slug, status
        if post.type == "post":
            post.categories = [int(i) for i in body.get("categories", post.categories)] or [1]
            post.tags = [int(i) for i in body.get("tags", post.tags)]
            media = self.posts.get(int(body.get("featured_media", post.featured_media) or 0))
            post.featured_media = media.id if media and media.type == "attachment" else 0
        post.modified = self._tick()  # every update, even one that changes nothing

    def _upload(self, call: Call) -> Any:
        user = call.user
        if user is None or not user.can("upload_files"):
            raise _denied(user, "rest_cannot_create", NO_UPLOADS)
        if not call.body.get("file"):
            raise RestError(400, "rest_upload_no_data")
        name = _disposition_filename(call.body["headers"].get("Content-Disposition", ""))
        if not name:
            raise RestError(400, "rest_upload_no_content_disposition")
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "unnamed"
        stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
        taken, number = {p.file for p in self.items("media")}, 0
        while name in taken:  # wp_unique_filename: x.png, x-1.png, x-2.png
            number += 1
            name = f"{stem}-{number}{dot}{ext}"
        title = name.rpartition(".")[0] or name
        post = Post(self._next_id, "attachment", user.id, "inherit", title.lower(), title)
        post.file, post.modified, self._next_id = name, self._tick(), self._next_id + 1
        self.posts[post.id] = post
        location = {"Location": f"{self.url}/wp-json/wp/v2/media/{post.id}"}
        return 201, self._post_data(post, True), location

    def _unique_slug(self, slug: str, post: Post) -> str:
        taken = {p.slug for p in self.posts.values() if p.type == post.type and p.id != post.id}
        candidate, suffix = slug, 2
        while candidate in taken:
            candidate, suffix = f"{slug[: 200 - len(str(suffix)) - 1]}-{suffix}", suffix + 1
        return candidate

    def _tick(self) -> datetime:
        """Now, but later than the last write: every write moves modified_gmt."""
        self._clock = max(_now(), self._clock + timedelta(seconds=1))
        return self._clock

    def _post(self, call: Call) -> Post:
        post = self.posts.get(int(call.args[1]))
        if post is None or post.type != TYPES[call.args[0]]:
            raise RestError(404, "rest_post_invalid_id")
        return post

    def _post_data(self, post: Post, edit: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": post.id, "date": _iso(post.date), "date_gmt": _iso(post.date),
            "modified": _iso(post.modified), "modified_gmt": _iso(post.modified),
            "slug": post.slug, "status": post.status, "type": post.type,
            "link": self._link(post), "author": post.author,
        }  # fmt: skip
        blocks = {"block_version": int("<!-- wp:" in post.content)} if edit else {}
        if post.type == "wp_block":  # patterns show raw text in both contexts, never rendered
            content = {"raw": post.content, "protected": False, **blocks}
            return data | {"title": {"raw": post.title}, "content": content}
        data["title"] = {
            "rendered": html.escape(post.title, quote=False).replace("&amp;", "&#038;")
        }
        data["title"] |= {"raw": post.title} if edit else {}
        if post.type == "attachment":
            day = f"{post.date:%Y/%m}"
            return data | {"source_url": f"{self.url}/wp-content/uploads/{day}/{post.file}"}
        excerpt = f"<p>{post.excerpt}</p>\n" if post.excerpt else ""
        data["content"] = {"rendered": self._rendered(post.content), "protected": False}
        data["excerpt"] = {"rendered": excerpt, "protected": False}
        if edit:
            data["content"] |= {"raw": post.content, **blocks}
            data["excerpt"]["raw"] = post.excerpt
        return data | {
            "comment_status": post.comment_status, "featured_media": post.featured_media,
            "categories": post.categories, "tags": post.tags,
        }  # fmt: skip

    def _link(self, post: Post) -> str:
        if post.type == "attachment":
            return f"{self.url}/?attachment_id={post.id}"
        if post.status in ("draft", "pending", "future") or not self.pretty_permalinks:
            return f"{self.url}/?p={post.id}"
        return f"{self.url}/{post.slug}/"  # patterns too, though they have no public page

    def _rendered(self, raw: str) -> str:
        """The content as themes show it: synced patterns expanded and block comments gone;
        in classic content (no blocks), a comment on a line of its own put in a paragraph."""

        def pattern(found: re.Match[str]) -> str:
            block = self.posts.get(int(found[1]))
            live = block is not None and block.type == "wp_block" and block.status == "publish"
            return block.content if block is not None and live else ""

        if "<!-- wp:" not in raw:  # wpautop runs on classic content only
            return re.sub(r"^(<!--.*?-->)$", r"<p>\1</p>", raw, flags=re.M)
        text = re.sub(r'<!-- wp:block \{"ref":(\d+)\} /-->', pattern, raw)
        return re.sub(r"<!-- /?wp:[^>]*?-->\n?", "", text)

    # -- capabilities: map_meta_cap for edit_post, read_post, delete_post ------------------

    def _can_edit(self, user: User | None, post: Post) -> bool:
        if user is None:
            return False
        status = post.trashed_from if post.status == "trash" else post.status
        if post.author == user.id:
            return user.can("edit_published_posts" if status in LIVE else "edit_posts")
        needs = {"edit_others_posts"}
        needs |= {"edit_published_posts"} if status in LIVE else set()
        needs |= {"edit_private_posts"} if status == "private" else set()
        return all(map(user.can, needs))

    def _can_read(self, user: User | None, post: Post) -> bool:
        if post.type == "wp_block" and not _can(user, "edit_posts"):
            return False  # reading a pattern is mapped to edit_posts
        if post.status in ("publish", "inherit"):
            return True
        if post.status == "private" and _can(user, "read_private_posts"):
            return True
        return self._can_edit(user, post)

    def _can_delete(self, user: User | None, post: Post) -> bool:
        if user is None:
            return False
        live = post.status in LIVE
        if post.author == user.id:
            return user.can("delete_published_posts" if live else "delete_posts")
        return user.can("delete_others_posts") and (not live or user.can("delete_published_posts"))

    # -- terms ----------------------------------------------------------------------------

    def _list_terms(self, call: Call) -> Any:
        taxonomy, params = _taxonomy(call.args[0]), call.params
        found = sorted(
            (t for t in self.terms.values() if t.taxonomy == taxonomy), key=lambda t: t.name
        )
        if "slug" in params:
            found = [t for t in found if t.slug in map(sanitize_title, _list(params["slug"]))]
        if "include" in params:
            found = [t for t in found if str(t.id) in _list(params["include"])]
        pages, chunk = _page(found, params, None)
        data = [{"id": t.id, "name": t.name, "slug": t.slug, "taxonomy": t.taxonomy} for t in chunk]
        return 200, data, {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)}

    def _create_term(self, call: Call) -> Any:
        taxonomy, body = _taxonomy(call.args[0]), call.body
        # Categories need edit_terms (manage_categories); tags only assign_terms (edit_posts).
        if not _can(call.user, "manage_categories" if taxonomy == "category" else "edit_posts"):
            raise _denied(call.user, "rest_cannot_create", NO_TERMS)
        if not str(body.get("name", "")).strip():
            raise RestError(400, "rest_missing_callback_param")
        name = _escape(str(body["name"]).strip())
        for term in self.terms.values():
            if term.taxonomy == taxonomy and term.name.lower() == name.lower():
                raise RestError(400, "term_exists", term_id=term.id)
        slug = sanitize_title(str(body.get("slug") or body["name"]))
        taken, candidate, suffix = {t.slug for t in self.terms.values()}, slug, 2
        while candidate in taken:
            candidate, suffix = f"{slug}-{suffix}", suffix + 1
        term = Term(max(self.terms) + 1, taxonomy, name, candidate)
        self.terms[term.id] = term
        location = {"Location": f"{self.url}/wp-json/wp/v2/{call.args[0]}/{term.id}"}
        return 201, {"id": term.id, "name": name, "slug": term.slug, "taxonomy": taxonomy}, location

    # -- batches --------------------------------------------------------------------------

    def _batch(self, call: Call) -> Any:
        """serve_batch_request_v1: check every sub-request, then run the valid ones in order."""
        subs, checks = [], []
        for request in call.body["requests"]:
            parts = urlsplit(request["path"])
            query = dict(parse_qsl(parts.query))
            method = str(request.get("method", "POST")).upper()
            sub = Call(method, parts.path, query, request.get("body") or {}, call.user, True)
            self.calls.append(sub)
            subs.append(sub)
            checks.append(self._batch_check(sub))
        if any(checks) and call.body.get("validation") == "require-all-validate":
            answers = [e and _envelope(e.status, e.body()) for e in checks]
            return 207, {"failed": "validation", "responses": answers}, {}
        answers = []
        for sub, error in zip(subs, checks, strict=True):
            fault = None if error else self._fault(sub, lose=False)
            error = error or (fault.error if fault else None)
            answers.append(_envelope(error.status, error.body()) if error else
                           _envelope(*self._dispatch(sub)))  # fmt: skip
        return 207, {"responses": answers}, {}

    def _batch_check(self, sub: Call) -> RestError | None:
        """Why a sub-request cannot run: no such route, not batchable, invalid arguments."""
        try:
            handler = self._route(sub)
            if handler in (self._me, self._upload, self._batch):  # allow_batch is off there
                return RestError(400, "rest_batch_not_allowed")
            _validate(sub)
        except RestError as error:
            return error
        return None


class Transport(BaseAdapter):
    """The requests transport that answers from a :class:`FakeWordPress`."""

    def __init__(self, site: FakeWordPress) -> None:
        super().__init__()
        self.site = site

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        return self.site.handle(request)

    def close(self) -> None:
        pass


# -- WordPress's text functions, simplified ---------------------------------------------------


def sanitize_title(text: str) -> str:
    """The slug WordPress stores for ``text`` (sanitize_title_with_dashes, simplified): Latin
    accents dropped, other letters percent-encoded and cut at 200 encoded characters."""
    text = re.sub(r"%(?![0-9a-fA-F]{2})", "", re.sub(r"<[^>]*>", "", text))
    encoded = ""
    for char in "".join(map(_unaccent, text)).lower():
        piece = char if char.isascii() else "".join(f"%{b:02x}" for b in char.encode())
        if len(encoded) + len(piece) > 200:
            break
        encoded += piece
    encoded = re.sub(r"&.+?;", "", encoded.replace("/", "-")).replace(".", "-")
    encoded = re.sub(r"\s+", "-", re.sub(r"[^%a-z0-9 _-]", "", encoded))
    return re.sub(r"-+", "-", encoded).strip("-")


def _unaccent(char: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return plain if plain and plain.isascii() else char


def _escape(text: str) -> str:
    """How WordPress stores a term name: a bare ``&`` and ``<`` ``>`` escaped."""
    return re.sub(r"&(?!#?\w+;)", "&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def _kses(text: str, user: User) -> str:
    if user.can("unfiltered_html"):
        return text
    text = re.sub(r"</?(script|style|iframe|object|embed)\b[^>]*>", "", text, flags=re.I)
    text = re.sub(r"&(?!#?\w+;)", "&amp;", text)
    return re.sub(
        r"<!--(.*?)-->", lambda m: f"<!--{re.sub('-{2,}', '-', m[1])}-->", text, flags=re.S
    )


def _search(query: str, *texts: str) -> bool:
    """WP_Query's search: every word in one of the texts, case-insensitive (``-`` excludes)."""
    haystack = [t.lower() for t in texts]
    for word in re.findall(r'"[^"]*"|[^\s",+]+', query.lower()):
        word, exclude = word.strip('"'), word.startswith("-") and len(word) > 1
        if any(word.removeprefix("-") in t for t in haystack) == exclude:
            return False
    return True


def _validate(call: Call) -> None:
    """The argument checks WordPress makes before a handler runs (those cms-sync can meet)."""
    problems, params, body = {}, call.params, call.body
    if not 1 <= int(params.get("per_page", "10")) <= 100:
        problems["per_page"] = "per_page must be between 1 (inclusive) and 100 (inclusive)"
    writes_post = call.method != "GET" and re.fullmatch(r"/wp/v2/(posts|blocks)(/\d+)?", call.route)
    if writes_post and body.get("status", "draft") not in STATUSES:
        problems["status"] = "status is not one of publish, future, draft, pending, and private."
    if writes_post and body.get("comment_status", "open") not in ("open", "closed"):
        problems["comment_status"] = "comment_status is not one of open and closed."
    if writes_post and any(_parse_date(body[k]) is None for k in ("date", "date_gmt") if k in body):
        problems["date"] = "Invalid date."
    if call.route == "/batch/v1":
        subs = body.get("requests")
        if not isinstance(subs, list) or len(subs) > MAX_BATCH:
            problems["requests"] = f"requests must contain at most {MAX_BATCH} items."
        elif any(str(s.get("method", "POST")).upper() not in ("POST", "PUT", "PATCH", "DELETE")
                 or not isinstance(s.get("path"), str) for s in subs):  # fmt: skip
            problems["requests"] = "requests[0] is not a valid batch request."
    if problems:
        message = "Invalid parameter(s): " + ", ".join(problems)
        raise RestError(400, "rest_invalid_param", message, params=problems)


def _page(found: list[Any], params: dict[str, str], past_end: str | None) -> tuple[int, list[Any]]:
    """(number of pages, the items of the requested page)."""
    per_page, page = int(params.get("per_page", "10")), int(params.get("page", "1"))
    pages = math.ceil(len(found) / per_page)
    if past_end and found and page > pages:
        raise RestError(400, past_end)
    return pages, found[(page - 1) * per_page : page * per_page]


def _denied(user: User | None, code: str, message: str = "") -> RestError:
    # rest_authorization_required_code: 401 for anonymous requests, 403 for users
    return RestError(401 if user is None else 403, code, message)


def _can(user: User | None, cap: str) -> bool:
    return user is not None and user.can(cap)


def _taxonomy(base: str) -> str:
    return "category" if base == "categories" else "post_tag"


def _letters(password: str) -> str:
    return re.sub(r"[^a-z\d]", "", password, flags=re.I)  # WordPress ignores the spaces


def _list(value: str) -> list[str]:
    return [v for v in re.split(r"[\s,]+", value) if v]


def _raw(value: Any) -> str:
    return str(value.get("raw", "") if isinstance(value, dict) else value)


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _parse_date(value: Any) -> datetime | None:
    """rest_parse_date: local (here UTC) without an offset, converted to UTC with one."""
    pattern = r"(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?"
    found = re.fullmatch(pattern, str(value))
    if not found:
        return None
    when = datetime.fromisoformat(f"{found[1]}T{found[2]}{(found[3] or '').replace('Z', '+00:00')}")
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def _disposition_filename(header: str) -> str:
    """The file name as WordPress reads it: the ``filename=`` attribute only."""
    pairs = (part.partition("=") for part in header.split(";")[1:] if "=" in part)
    return {key.strip(): value.strip() for key, _, value in pairs}.get("filename", "").strip('"')


def _only(data: Any, fields: list[str]) -> Any:
    """``_fields=a,b.c``: keep those keys (nested with a dot)."""
    if isinstance(data, list):
        return [_only(item, fields) for item in data]
    kept: dict[str, Any] = {}
    for name in fields:
        top, _, rest = name.partition(".")
        if top in data:
            kept[top] = (
                _only(data[top], [rest]) if rest and isinstance(data[top], dict) else data[top]
            )
    return kept


def _envelope(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"body": body, "status": status, "headers": headers or {}}


def _body(request: requests.PreparedRequest) -> Any:
    if "json" not in request.headers.get("Content-Type", "") or not request.body:
        return {}
    return json.loads(request.body)


def _json_response(
    request: requests.PreparedRequest, status: int, data: Any, headers: dict[str, str] | None = None
) -> requests.Response:
    headers = {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
    return _response(request, status, json.dumps(data).encode(), headers)


def _response(
    request: requests.PreparedRequest, status: int, content: bytes, headers: dict[str, str]
) -> requests.Response:
    response = requests.Response()
    response.status_code, response.reason = status, HTTPStatus(status).phrase
    response.headers = CaseInsensitiveDict(headers)
    response._content, response.encoding = content, "utf-8"
    response.url, response.request = request.url or "", request
    return response
