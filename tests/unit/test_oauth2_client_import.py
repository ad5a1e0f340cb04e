"""authlib is imported without a warning, and without its process-wide ``always`` filter."""

from __future__ import annotations

import subprocess
import sys
import textwrap

_PROBE = textwrap.dedent(
    """
    import warnings
    from hookgate_dev.local.oauth2_client import authlib_httpx

    warnings.simplefilter("error")
    before = list(warnings.filters)
    client = authlib_httpx()
    assert client.OAuth2Client.__name__ == "OAuth2Client"
    assert warnings.filters == before, "authlib's filter leaked"
    from authlib.deprecate import deprecate
    try:
        deprecate("another deprecation")
    except DeprecationWarning:
        print("other warnings still fail")
    """
)


def test_authlib_imports_cleanly_and_other_warnings_still_fail() -> None:
    # A fresh interpreter: authlib warns only on its first import.
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-X", "dev", "-W", "error", "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.strip() == "other warnings still fail"
