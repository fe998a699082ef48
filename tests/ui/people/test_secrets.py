"""After a full session with failures, no token or cookie is in the log file, the settings file or any error text."""

from __future__ import annotations

import logging
import sqlite3
from urllib.parse import parse_qs, urlsplit

import pytest

from studio_desktop.accounts.pixieset_sign_in import PixiesetSession
from studio_desktop.accounts.shootproof_sign_in import ShootProofSession
from studio_desktop.api.errors import AuthenticationError
from studio_desktop.api.pixieset_errors import PixiesetAuthError
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core import credentials as cred
from studio_desktop.core.logging_setup import setup_logging, teardown_logging
from studio_desktop.core.settings import SettingsError, load_settings, save_settings
from studio_desktop.ui.people.accounts import Accounts, SignInBanner
from studio_desktop.ui.people.clients_panel import ClientsPanel
from studio_desktop.ui.people.contacts_panel import ContactsPanel
from studio_desktop.ui.people.sign_in_dialog import SignInDialog

CLIENT_ID = "studio-desktop-secrets-test"


@pytest.fixture
def log_file(tmp_path):
    path = setup_logging("DEBUG", console=False, log_file=tmp_path / "logs" / "studio-desktop.log")
    yield path
    teardown_logging()


def issued_secrets(sandbox, *more: str) -> set[str]:
    """Every token and code the sandbox ever issued, the demo token and the Pixieset cookies (and their values)."""
    with sqlite3.connect(sandbox.studio.db_path) as db:
        found = {row[0] for row in db.execute("SELECT token FROM tokens")}
        found |= {row[0] for row in db.execute("SELECT code FROM oauth_codes")}
    for cookie in (sandbox.pixieset_cookie, sandbox.studio.pixieset.cookie, *more):
        found.add(cookie)
        found.add(cookie.partition("=")[2])
    found.add(sandbox.access_token)
    return {secret for secret in found if secret and len(secret) >= 12}


def test_a_full_session_with_failures_leaks_no_secret(
    qtbot,
    tmp_path,
    log_file,
    sandbox,
    http,
    credentials,
    tasks,
    store,
    run_async,
    browser,
    click,
    app_paths,
    fail_on_unexpected_logs,
):
    texts: list[str] = []  # every message the user could see, and every exception's text
    sp = ShootProofSession(
        credentials, api_url=sandbox.shootproof_api_url, oauth_url=sandbox.oauth_url, client_id=CLIENT_ID, http=http
    )
    px = PixiesetSession(credentials, base_url=sandbox.pixieset_api_url, http=http)
    accounts = Accounts(sp, px)
    needed: list[tuple[str, str]] = []
    accounts.sign_in_needed.connect(lambda service, message: needed.append((service, message)))
    banner = SignInBanner(accounts)
    qtbot.addWidget(banner)
    opened: list[str] = []
    dialog = SignInDialog(accounts, tasks, open_url=opened.append)
    qtbot.addWidget(dialog)
    dialog.open()

    # ShootProof: browser sign-in with the loopback redirect, after a forged answer.
    click(dialog.open_button)
    qtbot.waitUntil(lambda: bool(opened), timeout=5_000)
    redirect = parse_qs(urlsplit(opened[0]).query)["redirect_uri"][0]
    run_async(browser.http.get(redirect, params={"code": "forged-authorization-code", "state": "forged"}))
    landing = run_async(browser.press(opened[0])).headers["location"]
    run_async(browser.http.get(landing))
    qtbot.waitUntil(lambda: sp.signed_in, timeout=10_000)

    # The contacts panel works through the session; a validation error comes back from ShootProof.
    client = ShootProofClient(sandbox.shootproof_api_url, sp.provider, http=http)
    contacts = ContactsPanel(tasks, store, client, account=sandbox.shootproof_api_url)
    qtbot.addWidget(contacts)
    contacts.auth_failed.connect(accounts.note_auth_failure)
    qtbot.waitUntil(lambda: contacts._load_task is None and contacts.model.rowCount() > 0, timeout=10_000)
    contacts.new_contact()
    contacts.form.editors["first_name"].setText("Dup")
    contacts.form.editors["email"].setText(contacts.model.items[0].email)
    contacts.save()
    qtbot.waitUntil(lambda: bool(contacts.form.error_text("email")), timeout=10_000)
    texts.append(contacts.form.error_text("email"))
    contacts.revert()

    # The server expires the token: refreshed once, transparently. Then the sign-in is revoked: a 401
    # that no refresh can fix, so the user is asked to sign in again.
    sandbox.studio.expire_token(sp.tokens.access_token)
    assert run_async(client.studio_info()).name
    sandbox.studio.revoke_token(sp.tokens.refresh_token)
    sandbox.studio.advance_clock(3600)
    contacts.refresh()
    qtbot.waitUntil(lambda: contacts._load_task is None and bool(contacts.banner.text()), timeout=10_000)
    texts.append(contacts.banner.text())
    with pytest.raises(AuthenticationError) as refused:
        run_async(client.studio_info())
    texts += [str(refused.value), repr(refused.value)]
    assert ("shootproof", "Your ShootProof sign-in has expired or was revoked. Please sign in again.") in needed
    texts.append(banner.text())

    # A bad pasted token, then a good one.
    dialog.token_edit.setText("this-is-not-a-real-token-0000")
    click(dialog.token_button)
    qtbot.waitUntil(lambda: bool(dialog.token_error.text()), timeout=10_000)
    texts.append(dialog.token_error.text())
    dialog.token_edit.setText(sandbox.access_token)
    click(dialog.token_button)
    qtbot.waitUntil(lambda: not sp.needs_sign_in and not dialog._token_running, timeout=10_000)

    # Pixieset: a bad cookie, a good one, a 422, then the session ends on Pixieset's side (401).
    dialog.cookie_edit.setText("pixieset_studio_session=made-up-cookie-value-123")
    click(dialog.cookie_button)
    qtbot.waitUntil(lambda: bool(dialog.cookie_error.text()), timeout=10_000)
    texts.append(dialog.cookie_error.text())
    dialog.cookie_edit.setText(sandbox.pixieset_cookie)
    click(dialog.cookie_button)
    qtbot.waitUntil(lambda: px.signed_in, timeout=10_000)
    clients = ClientsPanel(tasks, px.make_client())
    qtbot.addWidget(clients)
    clients.auth_failed.connect(accounts.note_auth_failure)
    qtbot.waitUntil(lambda: clients.page is not None and clients.load_task is None, timeout=10_000)
    clients.list_view.setCurrentIndex(clients.model.index(0, 0))
    clients.form.editors["email"].setText("broken@")
    clients.save()
    qtbot.waitUntil(lambda: bool(clients.form.error_text("email")), timeout=10_000)
    texts.append(clients.form.error_text("email"))
    clients.revert()
    sandbox.studio.pixieset.sign_out()
    clients.load_page(1)
    qtbot.waitUntil(lambda: bool(clients.banner.text()), timeout=10_000)
    texts.append(clients.banner.text())
    with pytest.raises(PixiesetAuthError) as ended:
        run_async(clients.pixieset.list_clients())
    texts += [str(ended.value), repr(ended.value)]
    assert any(service == "pixieset" for service, _ in needed)

    # Settings hold the app id and addresses; they refuse a secret, saying so without showing it.
    settings = load_settings().replace(
        shootproof_client_id=CLIENT_ID,
        oauth_url=sandbox.oauth_url,
        api_url=sandbox.shootproof_api_url,
        pixieset_url=sandbox.pixieset_api_url,
    )
    save_settings(settings)
    for attempt in (
        {"api_url": f"{sandbox.shootproof_api_url}?access_token={sandbox.access_token}"},
        {"window": {"note": sandbox.pixieset_cookie}},
    ):
        with pytest.raises(SettingsError) as refused_setting:
            settings.replace(**attempt)
        texts.append(str(refused_setting.value))

    # Code that logs a secret by mistake, with and without a traceback.
    careless = logging.getLogger("studio_desktop.careless")
    careless.info("calling with token %s and cookie %s", sandbox.access_token, sandbox.pixieset_cookie)
    try:
        raise RuntimeError(f"failed for {credentials.get(cred.SHOOTPROOF_ACCESS_TOKEN)}")
    except RuntimeError:
        careless.exception("a careless error")

    # Sign out of both.
    click(dialog.sp_status.sign_out)
    qtbot.waitUntil(lambda: not sp.signed_in, timeout=10_000)
    click(dialog.px_status.sign_out)
    qtbot.waitUntil(lambda: not px.signed_in, timeout=10_000)
    texts += [dialog.sp_message.text(), dialog.px_message.text(), dialog.browser_error.text()]
    texts += [repr(obj) for obj in (sp, sp.provider, px, client, clients.pixieset, credentials, dialog.pending)]
    accounts.close()

    for handler in logging.getLogger().handlers:
        handler.flush()
    log_text = "".join(path.read_text(encoding="utf-8") for path in log_file.parent.glob("studio-desktop.log*"))
    settings_text = app_paths.settings_file.read_text(encoding="utf-8")
    secrets = issued_secrets(sandbox, "forged-authorization-code")
    assert len(secrets) >= 8, "the session handled several tokens, codes and cookies"

    # The checks can fail: the secrets file (where they belong) does hold them, and the log is rich.
    assert "sp.studio.info" in log_text and "refreshed the ShootProof sign-in" in log_text
    assert "Pixieset refused the session cookie" in log_text and "a careless error" in log_text
    assert CLIENT_ID in settings_text
    for secret in secrets:
        assert secret not in log_text, "a secret reached the log file"
        assert secret not in settings_text, "a secret reached the settings file"
        for text in texts:
            assert secret not in text, f"a secret reached a message: {text[:80]!r}"
    fail_on_unexpected_logs.take()  # the failures were made on purpose
