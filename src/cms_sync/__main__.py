"""Allow ``python -m cms_sync``."""

from cms_sync.cli import main

main()
