"""Signing in to ShootProof (OAuth, end to end against the sandbox's auth pages) and to Pixieset, through the dialog."""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from studio_desktop.accounts.auth_settings import AuthSettings
from studio_desktop.accounts.events import SessionEvent
from studio_desktop.accounts.pixieset_sign_in import PixiesetSession, normalize_cookie
from studio_desktop.accounts.shootproof_sign_in import ShootProofSession
from studio_desktop.api.errors import AuthenticationError
from studio_desktop.api.oauth import OAuthStateError
from studio_desktop.api.pixieset_errors import PixiesetAuthError
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core import credentials as cred
from studio_desktop.core.config import Endpoints
from studio_desktop.core.settings import Settings
from studio_desktop.ui.people.accounts import Accounts, SignInBanner
from studio_desktop.ui.people.sign_in_dialog import SignInDialog

CLIENT_ID = "studio-desktop-tests"


@pytest.fixture
def sp_session(sandbox, credentials, http):
    return ShootProofSession(
        credentials, api_url=sandbox.shootproof_api_url, oauth_url=sandbox.oauth_url, client_id=CLIENT_ID, http=http
    )


@pytest.fixture
def px_session(sandbox, credentials, http):
    return PixiesetSession(credentials, base_url=sandbox.pixieset_api_url, http=http)


@pytest.fixture
def accounts(sp_session, px_session):
    made = Accounts(sp_session, px_session)
    yield made
    made.close()


@pytest.fixture
def dialog(qtbot, accounts, tasks):
    opened: list[str] = []
    made = SignInDialog(accounts, tasks, open_url=opened.append)
    made.opened = opened
    qtbot.addWidget(made)
    made.open()
    return made


def stored(credentials) -> tuple[str | None, str | None, str | None]:
    return (
        credentials.get(cred.SHOOTPROOF_ACCESS_TOKEN),
        credentials.get(cred.SHOOTPROOF_REFRESH_TOKEN),
        credentials.get(cred.SHOOTPROOF_TOKEN_EXPIRES_AT),
    )


def test_browser_sign_in_with_a_pasted_code(dialog, qtbot, run_async, browser, credentials, sandbox, click):
    signed_in: list[str] = []
    dialog.signed_in.connect(signed_in.append)
    dialog.paste_choice.setChecked(True)
    click(dialog.open_button)
    qtbot.waitUntil(lambda: bool(dialog.opened) and dialog.code_row.isVisibleTo(dialog), timeout=5_000)
    url = dialog.opened[0]
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(sandbox.oauth_url + "/new?")
    assert query["redirect_uri"] == "self" and query["client_id"] == CLIENT_ID and len(query["state"]) >= 20
    assert "sp.contact.create" in query["scope"].split()

    page = run_async(browser.press(url))
    code = browser.code_on(page)

    dialog.code_edit.setText("not-the-code")
    click(dialog.finish_button)
    qtbot.waitUntil(lambda: bool(dialog.browser_error.text()), timeout=5_000)
    assert dialog.accounts.shootproof.signed_in is False
    # A wrong code spends nothing: the real one still works (the dialog keeps the sign-in open).
    dialog.code_edit.setText(code)
    click(dialog.finish_button)
    qtbot.waitUntil(lambda: signed_in == ["shootproof"], timeout=10_000)

    access, refresh, expires = stored(credentials)
    assert access and refresh and access != code
    assert float(expires) > time.time() + 3600
    assert dialog.code_edit.text() == ""
    assert "Signed in to" in dialog.sp_status.text.text() and dialog.sp_status.sign_out.isVisibleTo(dialog)
    studio = run_async(ShootProofClient(sandbox.shootproof_api_url, access, http=browser.http).studio_info())
    assert studio.name in dialog.sp_status.text.text()


def test_browser_sign_in_with_a_loopback_redirect_checks_state(
    dialog, qtbot, run_async, browser, credentials, click, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.accounts")  # "ignored a sign-in answer ..."
    signed_in: list[str] = []
    dialog.signed_in.connect(signed_in.append)
    assert dialog.loopback_choice.isChecked()
    click(dialog.open_button)
    qtbot.waitUntil(lambda: bool(dialog.opened) and dialog.waiting.isVisibleTo(dialog), timeout=5_000)
    url = dialog.opened[0]
    redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    assert redirect.startswith("http://127.0.0.1:") and redirect.endswith("/callback")

    answer = run_async(browser.press(url))
    assert answer.status_code == 302
    landing = answer.headers["location"]
    assert landing.startswith(redirect + "?")

    # Another page trying to slip its own code in (wrong state) is refused and the sign-in keeps waiting.
    forged = run_async(browser.http.get(redirect, params={"code": "forged-code", "state": "not-ours"}))
    assert forged.status_code == 400
    assert run_async(browser.http.get(redirect.replace("/callback", "/elsewhere"))).status_code == 404
    assert not signed_in and dialog.waiting.isVisibleTo(dialog)

    page = run_async(browser.http.get(landing))
    assert page.status_code == 200 and "Signed in" in page.text
    qtbot.waitUntil(lambda: signed_in == ["shootproof"], timeout=10_000)
    assert all(stored(credentials)) and not dialog.waiting.isVisibleTo(dialog)


def test_declining_in_the_browser_says_so(dialog, qtbot, run_async, browser, credentials, click):
    click(dialog.open_button)
    qtbot.waitUntil(lambda: bool(dialog.opened), timeout=5_000)
    answer = run_async(browser.press(dialog.opened[0], "deny"))
    run_async(browser.http.get(answer.headers["location"]))
    qtbot.waitUntil(lambda: bool(dialog.browser_error.text()), timeout=10_000)
    assert "cancelled" in dialog.browser_error.text().lower() or "denied" in dialog.browser_error.text().lower()
    assert stored(credentials) == (None, None, None)
    assert dialog.open_button.isEnabled()


def test_pasted_code_url_with_the_wrong_state_is_refused(sp_session, run_async, browser):
    pending = run_async(sp_session.begin_browser_sign_in())
    run_async(browser.press(pending.url))
    with pytest.raises(OAuthStateError):
        run_async(sp_session.finish_with_code(pending, "http://x/cb?code=abc&state=forged"))
    assert not sp_session.signed_in


def test_paste_an_access_token(dialog, qtbot, credentials, sandbox, click):
    dialog.token_edit.setText("definitely-not-a-valid-token-123")
    click(dialog.token_button)
    qtbot.waitUntil(lambda: bool(dialog.token_error.text()), timeout=10_000)
    assert "did not accept" in dialog.token_error.text()
    assert stored(credentials) == (None, None, None)

    dialog.token_edit.setText(f"  {sandbox.access_token}\n")
    click(dialog.token_button)
    qtbot.waitUntil(lambda: dialog.accounts.shootproof.signed_in and not dialog._token_running, timeout=10_000)
    assert stored(credentials) == (sandbox.access_token, None, None)
    assert "with an access token" in dialog.sp_status.text.text()
    assert dialog.token_edit.text() == "" and dialog.token_error.text() == ""


def _signed_in_with_oauth(session, run_async, browser):
    pending = run_async(session.begin_browser_sign_in())
    code = browser.code_on(run_async(browser.press(pending.url)))
    return run_async(session.finish_with_code(pending, code))


def test_tokens_are_refreshed_before_expiry_and_once_after_a_401(
    sp_session, run_async, browser, credentials, sandbox, http, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.api.oauth")  # "the ShootProof sign-in was refused"
    caplog.set_level(logging.WARNING, logger="studio_desktop.accounts")  # "ShootProof refused the sign-in"
    events: list[SessionEvent] = []
    sp_session.add_listener(events.append)
    _signed_in_with_oauth(sp_session, run_async, browser)
    first_access, first_refresh, _ = stored(credentials)
    client = ShootProofClient(sandbox.shootproof_api_url, sp_session.provider, http=http)

    # A saved sign-in that is about to expire is refreshed before it is used.
    credentials.set(cred.SHOOTPROOF_TOKEN_EXPIRES_AT, repr(time.time() + 30))
    reloaded = ShootProofSession(
        credentials, api_url=sandbox.shootproof_api_url, oauth_url=sandbox.oauth_url, client_id=CLIENT_ID, http=http
    )
    assert run_async(reloaded.load())
    run_async(ShootProofClient(sandbox.shootproof_api_url, reloaded.provider, http=http).studio_info())
    second_access, second_refresh, expires = stored(credentials)
    assert second_access != first_access and second_refresh != first_refresh
    assert float(expires) > time.time() + 3600

    # The first session's refresh token was spent by that refresh. Once the server refuses its access
    # token, it tries one refresh, is refused, and the user is asked to sign in again.
    assert run_async(client.studio_info()).name
    sandbox.studio.expire_token(first_access)
    with pytest.raises(AuthenticationError):
        run_async(client.studio_info())
    assert [e.kind for e in events] == ["signed_in", "sign_in_needed"] and events[-1].service == "shootproof"

    # A token the server expired is refreshed once, transparently (the next run, with the saved tokens).
    next_run = ShootProofSession(
        credentials, api_url=sandbox.shootproof_api_url, oauth_url=sandbox.oauth_url, client_id=CLIENT_ID, http=http
    )
    assert run_async(next_run.load())
    refreshes = sandbox.studio.oauth_log.count(("refresh_token", "issued"))
    sandbox.studio.expire_token(second_access)
    assert run_async(ShootProofClient(sandbox.shootproof_api_url, next_run.provider, http=http).studio_info()).name
    third_access, _, _ = stored(credentials)
    assert third_access not in (first_access, second_access)
    assert sandbox.studio.oauth_log.count(("refresh_token", "issued")) == refreshes + 1


def test_sign_out_deauthorizes_and_forgets(dialog, qtbot, run_async, browser, credentials, sandbox, http, click):
    session = dialog.accounts.shootproof
    _signed_in_with_oauth(session, run_async, browser)
    access, _refresh, _ = stored(credentials)
    dialog._sync()
    before = sandbox.studio.count_requests("sp.auth.deauthorize")

    click(dialog.sp_status.sign_out)
    qtbot.waitUntil(lambda: not session.signed_in, timeout=10_000)
    assert sandbox.studio.count_requests("sp.auth.deauthorize") == before + 1
    assert stored(credentials) == (None, None, None)
    assert dialog.sp_status.text.text() == "Not signed in."
    with pytest.raises(AuthenticationError):
        run_async(ShootProofClient(sandbox.shootproof_api_url, access, http=http).studio_info())
    with pytest.raises(AuthenticationError):
        run_async(ShootProofClient(sandbox.shootproof_api_url, session.provider, http=http).studio_info())


def test_pixieset_cookie_sign_in_and_a_401_anywhere_asks_again(
    dialog, qtbot, run_async, credentials, sandbox, px_session, accounts, click, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.accounts")  # "Pixieset refused the session cookie"
    banner = SignInBanner(accounts)
    qtbot.addWidget(banner)
    requested: list[str] = []
    banner.sign_in_requested.connect(requested.append)
    dialog.tabs.setCurrentIndex(1)

    dialog.cookie_edit.setText("pixieset_studio_session=made-up-session-value")
    click(dialog.cookie_button)
    qtbot.waitUntil(lambda: bool(dialog.cookie_error.text()), timeout=10_000)
    assert "did not accept this cookie" in dialog.cookie_error.text()
    assert credentials.get(cred.PIXIESET_COOKIE) is None

    dialog.cookie_edit.setText(f"Cookie: {sandbox.pixieset_cookie}")
    click(dialog.cookie_button)
    qtbot.waitUntil(lambda: px_session.signed_in and not dialog._cookie_running, timeout=10_000)
    assert credentials.get(cred.PIXIESET_COOKIE) == sandbox.pixieset_cookie
    assert "people" in dialog.px_status.text.text()

    client = px_session.make_client()
    assert run_async(client.list_clients(per_page=1)).total > 0
    sandbox.studio.pixieset.sign_out()
    with pytest.raises(PixiesetAuthError):
        run_async(client.get_client("cl_whatever"))
    assert banner.isVisibleTo(banner.parentWidget() or banner) and "Pixieset session has ended" in banner.text()
    banner.action.click()
    assert requested == ["pixieset"]
    assert "session has ended" in dialog.px_status.text.text()

    click(dialog.px_status.sign_out)
    qtbot.waitUntil(lambda: not px_session.signed_in, timeout=5_000)
    assert credentials.get(cred.PIXIESET_COOKIE) is None


def test_saved_sign_ins_are_picked_up_by_the_next_run(run_async, credentials, sandbox, http, browser, sp_session):
    _signed_in_with_oauth(sp_session, run_async, browser)
    credentials.set(cred.PIXIESET_COOKIE, sandbox.pixieset_cookie)
    later = ShootProofSession(
        credentials, api_url=sandbox.shootproof_api_url, oauth_url=sandbox.oauth_url, client_id=CLIENT_ID, http=http
    )
    assert run_async(later.load()) and later.uses_oauth
    assert run_async(ShootProofClient(sandbox.shootproof_api_url, later.provider, http=http).studio_info()).name
    pixieset = PixiesetSession(credentials, base_url=sandbox.pixieset_api_url, http=http)
    assert run_async(pixieset.load()) and pixieset.cookie() == sandbox.pixieset_cookie


def test_cookie_text_is_normalised_or_refused():
    assert normalize_cookie('Cookie: "a=1; b=2;"\n') == "a=1; b=2"
    assert normalize_cookie("  session=abc;\r\n other=xyz ") == "session=abc; other=xyz"
    for bad, reason in (("", "Paste"), ("justavalue", "name=value"), ("a=ü", "characters")):
        with pytest.raises(PixiesetAuthError, match=reason):
            normalize_cookie(bad)


def test_auth_settings_come_from_settings_unless_sandboxed():
    settings = Settings(shootproof_client_id="my-app", oauth_url="https://auth.example.test/oauth2/authorization")
    real = AuthSettings.resolve(settings, Endpoints())
    assert real.client_id == "my-app" and real.oauth_url == "https://auth.example.test/oauth2/authorization"
    assert real.api_url == Endpoints().api_url
    flagged = AuthSettings.resolve(settings, Endpoints(oauth_url="https://flag.example.test/oauth2/authorization"))
    assert flagged.oauth_url == "https://flag.example.test/oauth2/authorization" and flagged.client_id == "my-app"
    sandboxed = AuthSettings.resolve(
        settings,
        Endpoints(
            oauth_url="http://127.0.0.1:9/oauth2/authorization", client_id="studio-desktop-sandbox", sandbox=True
        ),
    )
    assert sandboxed.client_id == "studio-desktop-sandbox"
    assert sandboxed.oauth_url == "http://127.0.0.1:9/oauth2/authorization"


def test_browser_sign_in_needs_a_client_id(qtbot, tasks, credentials, http, sandbox, px_session):
    session = ShootProofSession(
        credentials, api_url=sandbox.shootproof_api_url, oauth_url=sandbox.oauth_url, client_id="", http=http
    )
    made = Accounts(session, px_session)
    dialog = SignInDialog(made, tasks, open_url=lambda url: pytest.fail("no browser without a client id"))
    qtbot.addWidget(dialog)
    assert not dialog.browser_box.isEnabled() and "client ID" in dialog.browser_hint.text()
    assert dialog.token_box.isEnabled()
    made.close()


def test_with_no_browser_the_dialog_says_so_and_hands_over_the_address(accounts, tasks, qtbot, sandbox, click, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.accounts")  # "the browser could not be opened"
    from PySide6.QtWidgets import QApplication

    from studio_desktop.ui.people.sign_in_dialog import NO_BROWSER_TEXT

    dialog = SignInDialog(accounts, tasks, open_url=lambda url: False)
    qtbot.addWidget(dialog)
    dialog.open()
    QApplication.clipboard().clear()
    dialog.paste_choice.setChecked(True)
    click(dialog.open_button)
    qtbot.waitUntil(lambda: dialog.pending is not None, timeout=5_000)
    assert dialog.sp_message.text() == NO_BROWSER_TEXT
    assert QApplication.clipboard().text() == dialog.pending.url
    assert dialog.pending.url.startswith(sandbox.oauth_url + "/new?")
    assert dialog.code_row.isVisibleTo(dialog) and dialog.copy_link_button.isVisibleTo(dialog)
