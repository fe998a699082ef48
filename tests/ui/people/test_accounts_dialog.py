"""Settings → Accounts: the client ID and API address without editing settings.json, and who is signed in."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import replace

import pytest

from studio_desktop.accounts.auth_settings import BUILD_INFO_MODULE, AuthSettings, build_client_id
from studio_desktop.core import paths
from studio_desktop.core.config import Endpoints
from studio_desktop.core.settings import Settings
from tests.ui.conftest import endpoints_for

WAIT_MS = 10_000


def test_the_client_id_typed_in_accounts_turns_on_browser_sign_in_and_is_kept(
    gui_session_factory, sandbox, wait_for_tree, qtbot, click, run_async
):
    session = gui_session_factory(sandbox)
    wait_for_tree(session)
    people, window = session.people, session.window
    sign_in = people.signing_in.open_sign_in()
    assert not sign_in.browser_box.isEnabled(), "no client id yet: only a pasted token works"
    assert "File → Accounts…" in sign_in.browser_hint.text()

    window.actions["accounts"].trigger()
    dialog = people.signing_in.accounts_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: session.controller.studio is not None, timeout=WAIT_MS)
    assert dialog.active_label.text() == f"In use: {session.controller.studio.name} on ShootProof."
    assert dialog.sp_state.text() == "Signed in with an access token."
    assert dialog.px_state.text() == "Not signed in." and not dialog.px_sign_out.isEnabled()

    dialog.api_url.setText("not an address")
    click(dialog.save_button)
    assert "api_url" in dialog.errors.text() and session.services.settings.api_url == ""
    dialog.api_url.clear()
    qtbot.keyClicks(dialog.client_id, "my-studio-app-7")
    click(dialog.save_button)
    assert session.services.settings.shootproof_client_id == "my-studio-app-7"
    run_async(session.services.flush_settings())  # saved off the UI thread
    assert json.loads(paths.current().settings_file.read_text())["shootproof_client_id"] == "my-studio-app-7"
    assert sign_in.browser_box.isEnabled() and "File → Accounts…" not in sign_in.browser_hint.text()
    assert people.signing_in.shootproof.client_id == "my-studio-app-7"
    run_async(session.aclose(), timeout=20)

    again = gui_session_factory(sandbox)
    assert (
        again.people.signing_in.shootproof.can_use_browser
        and again.people.signing_in.shootproof.client_id == "my-studio-app-7"
    )


def test_accounts_signs_out_of_pixieset_alone(gui_session_factory, sandbox, wait_for_tree, qtbot, click):
    session = gui_session_factory(endpoints=replace(endpoints_for(sandbox), pixieset_cookie=sandbox.pixieset_cookie))
    wait_for_tree(session)
    people = session.people
    dialog = people.signing_in.open_accounts()
    assert dialog.px_sign_out.isEnabled()
    click(dialog.px_sign_out)
    box = people.signing_in.sign_out_box
    assert box is not None and "Pixieset" in box.text()
    click(box.findChild(object, "confirm_sign_out"))
    qtbot.waitUntil(lambda: not people.signing_in.pixieset.signed_in, timeout=WAIT_MS)
    assert people.signing_in.shootproof.signed_in
    assert dialog.px_state.text() == "Not signed in."


def test_in_the_sandbox_accounts_says_so_and_offers_the_way_out(gui_session_factory, sandbox, wait_for_tree, click):
    session = gui_session_factory(endpoints=replace(endpoints_for(sandbox), sandbox=True))
    wait_for_tree(session)
    dialog = session.people.signing_in.open_accounts()
    assert dialog.active_label.text().startswith("In use: the practice studio")
    assert dialog.switch_button.isVisible()
    click(dialog.switch_button)
    assert session.people.signing_in.sandbox_marks.confirm_box is not None


@pytest.fixture
def built_with_client_id(monkeypatch):
    module = types.ModuleType(BUILD_INFO_MODULE)
    module.SHOOTPROOF_CLIENT_ID = " studio-build-id "
    monkeypatch.setitem(sys.modules, BUILD_INFO_MODULE, module)


def test_a_bundle_built_with_a_client_id_needs_no_setting(built_with_client_id):
    real = Endpoints()
    assert build_client_id() == "studio-build-id"
    assert AuthSettings.resolve(Settings(), real).client_id == "studio-build-id"
    assert AuthSettings.resolve(Settings(shootproof_client_id="typed"), real).client_id == "typed"
    assert AuthSettings.resolve(Settings(), replace(real, client_id="from-env")).client_id == "from-env"


def test_a_checkout_has_no_built_in_client_id():
    assert build_client_id() == ""
