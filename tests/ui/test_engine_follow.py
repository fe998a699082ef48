"""The upload side follows the services' engine through ``engineChanged``, at once and without a timer."""

from __future__ import annotations

from .upload_support import upload_ui


def test_signing_out_and_in_again_rebinds_the_upload_side_when_the_engine_changes(gui_session, run_async):
    ui = upload_ui(gui_session)
    services = gui_session.services
    seen = []
    services.engineChanged.connect(seen.append)
    first = services.engine
    assert first is not None and ui.controller.engine is first

    run_async(services.disconnect_shootproof())
    assert seen == [None]
    assert ui.controller.engine is None and ui.hot_folders.manager is None
    assert not ui.choosing.upload_photos_action.isEnabled()
    assert not ui.controller.pause_action.isEnabled()

    run_async(services.connect_shootproof(services.endpoints.access_token), timeout=20)
    second = services.engine
    assert seen == [None, second] and second is not first
    assert ui.controller.engine is second and ui.hot_folders.manager is not None
    assert ui.choosing.upload_photos_action.isEnabled() and ui.controller.pause_action.isEnabled()
