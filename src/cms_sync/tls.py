"""The HTTPS session every site command's Client uses: certificates always verified, against
the system's authorities or a private CA's bundle (``--ca-bundle``, ``CMS_SYNC_CA_BUNDLE``,
``ca_bundle`` in cms-sync.toml), and a failed verification explained with what to do.

The Client takes the session through its ``session=`` parameter, so the HTTP code itself
needs to know nothing of bundles.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests

CA_OPTIONS = "--ca-bundle PATH (or CMS_SYNC_CA_BUNDLE, or ca_bundle in cms-sync.toml)"
_VERIFY_FAILED = re.compile(r"certificate verify failed: ([^('\"]+)")


class VerifiedSession(requests.Session):
    """A ``requests.Session`` that verifies certificates with ``ca_bundle`` when given (it
    wins over REQUESTS_CA_BUNDLE, which requests would otherwise let override a session's
    bundle) and turns a failed verification into an error that says what to do."""

    def __init__(self, ca_bundle: Path | None = None) -> None:
        super().__init__()
        self.ca_bundle = ca_bundle
        if ca_bundle is not None:
            self.verify = str(ca_bundle)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.ca_bundle is not None:  # here, after requests let the environment choose
            kwargs["verify"] = str(self.ca_bundle)
        try:
            return super().send(request, **kwargs)
        except requests.exceptions.SSLError as exc:
            found = _VERIFY_FAILED.search(str(exc))
            if found is None:
                raise
            explained = verification_failed(found.group(1).strip(), self.ca_bundle)
            raise requests.exceptions.SSLError(explained, request=request) from exc


def verification_failed(reason: str, ca_bundle: Path | None) -> str:
    """What a failed certificate verification means and what to do, on one line."""
    if "mismatch" in reason or "match" in reason:
        return (
            f"certificate verification failed ({reason}): the certificate is for another "
            "name; set site_url to the host name the certificate names"
        )
    if ca_bundle is not None:
        return (
            f"certificate verification failed ({reason}): the site's certificate is not "
            f"signed by a certificate authority in {ca_bundle}; give the bundle of the CA "
            "that signed it"
        )
    return (
        f"certificate verification failed ({reason}): the site's certificate is not signed by "
        "a certificate authority this machine trusts; if the site uses a private CA, give its "
        f"certificate with {CA_OPTIONS}"
    )
