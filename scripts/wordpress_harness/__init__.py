"""A throwaway, real WordPress on 127.0.0.1, for the demo, the tests and the benchmark.

Everything lives in one work directory: a private MariaDB (datadir ``db/``, Unix socket only,
no TCP), a copy of WordPress in ``www/`` with our own wp-config.php, and PHP's built-in web
server on a free port.  ``state.json`` records the URL, the credentials and the two pids, so
``stop`` ends exactly those processes and nothing else.

The parts, one module each: ``files`` (the WordPress tree, from Debian's package or a release
archive, themes, wp-config.php), ``database`` (MariaDB), ``webserver`` (php -S and its router),
``install`` (installer, users, application passwords), ``processes`` (spawn, wait, stop only
our pids) and ``site`` (the order they run in, and state.json).

Needs (installed by the Makefile, never by this package): wordpress php-cli php-mysql
mariadb-server php-xml php-mbstring; optionally wordpress-theme-twentytwentythree and
wordpress-theme-twentytwentyone.  Standard library only, so the system python3 runs it.

Python use (scripts/ on sys.path)::

    import wordpress_harness
    state = wordpress_harness.start(Path("/tmp/wp"))   # dict, also in /tmp/wp/state.json
    wordpress_harness.start(Path("/tmp/wp2"), plugins=[Path("wordpress-plugin")], activate=True)
    wordpress_harness.stop(Path("/tmp/wp"))
"""

from .site import (
    env_lines,
    missing_requirements,
    read_state,
    start,
    status,
    stop,
    switch_theme,
)

__all__ = [
    "env_lines",
    "missing_requirements",
    "read_state",
    "start",
    "status",
    "stop",
    "switch_theme",
]
