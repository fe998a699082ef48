"""Fixtures for the people panels and sign-in: services against the sandbox, built as the app builds them."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import httpx
import pytest

from studio_desktop.api.pixieset import FAST_RETRY, PixiesetClient
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core.credentials import CredentialStore
from studio_desktop.core.store import Store
from studio_desktop.people.cache import ContactsCache
from studio_desktop.people.directory import ContactDirectory
from studio_desktop.ui.tasks import TaskRunner


@pytest.fixture
def tasks(qloop):
    runner = TaskRunner()
    yield runner
    runner.cancel_all()


@pytest.fixture
def http(run_async):
    client = httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=5.0))
    yield client
    run_async(client.aclose())


@pytest.fixture
def store(tmp_path):
    opened = Store(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def credentials(tmp_path):
    """The file fallback (no keyring here): a 0600 JSON file in this test's folder."""
    return CredentialStore(secrets_file=tmp_path / "secrets.json", use_keyring=False)


@pytest.fixture
def sp_client(sandbox, http):
    return ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token, http=http)


@pytest.fixture
def px_client(sandbox, http):
    return PixiesetClient(sandbox.pixieset_api_url, sandbox.pixieset_cookie, http=http, retry=FAST_RETRY)


@pytest.fixture
def directory(sp_client, store, sandbox):
    return ContactDirectory(sp_client, ContactsCache(store, sandbox.shootproof_api_url))


@pytest.fixture
def click(qtbot):
    """``click(button)``: click like a user; the button must be enabled."""
    from PySide6.QtCore import Qt

    def press(button) -> None:
        assert button.isEnabled(), f"{button.objectName() or button.text()} is disabled"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    return press


# --- a "browser" for the sandbox's OAuth pages -------------------------------------------------


def _form(page: str, base_url: str, button: str) -> tuple[str, dict[str, str]]:
    """The authorize page's form that holds ``button``: its action and the fields a browser would send."""
    for attributes, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", page, re.IGNORECASE | re.DOTALL):
        if button not in body.lower():
            continue
        action = re.search(r'action="([^"]*)"', attributes)
        fields: dict[str, str] = {}
        for tag in re.findall(r"<(?:input|button)\b[^>]*>", body, re.IGNORECASE):
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if not name:
                continue
            if tag.lower().startswith("<button") and button not in tag.lower():
                continue
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
        return urljoin(base_url, html.unescape(action.group(1)) if action else base_url), fields
    raise AssertionError(f"no form with a {button!r} button on the page")


class Browser:
    """Does what the user does in the browser: opens the authorize page and presses Approve or Deny."""

    def __init__(self, http: httpx.AsyncClient):
        self.http = http

    async def press(self, url: str, button: str = "approve") -> httpx.Response:
        page = await self.http.get(url)
        assert page.status_code == 200, page.text[:300]
        action, fields = _form(page.text, str(page.url), button)
        return await self.http.post(action, data=fields, follow_redirects=False)

    @staticmethod
    def code_on(page: httpx.Response) -> str:
        match = re.search(r'<code id="authorization-code">([^<]+)</code>', page.text)
        assert match, page.text[:400]
        return html.unescape(match.group(1))


@pytest.fixture
def browser(http):
    return Browser(http)
