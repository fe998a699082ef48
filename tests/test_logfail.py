"""The rule of tests/logfail.py: an undeclared WARNING or worse fails the test; a declared one does not."""

from __future__ import annotations

import logging
import threading

import pytest
from logfail import LogFailHandler

log = logging.getLogger("logfail_probe")


def test_an_undeclared_warning_is_caught(fail_on_unexpected_logs: LogFailHandler):
    log.warning("surprise")
    assert [r.getMessage() for r in fail_on_unexpected_logs.take()] == ["surprise"]


def test_info_and_debug_pass():
    log.info("fine")
    log.debug("fine")


def test_a_warning_declared_at_its_level_and_logger_passes(caplog, fail_on_unexpected_logs: LogFailHandler):
    with caplog.at_level(logging.WARNING, logger="logfail_probe"):
        log.warning("expected")
    assert fail_on_unexpected_logs.take() == []
    assert [r.getMessage() for r in caplog.records] == ["expected"]


def test_a_declaration_covers_child_loggers(caplog, fail_on_unexpected_logs: LogFailHandler):
    with caplog.at_level(logging.ERROR, logger="logfail_probe"):
        logging.getLogger("logfail_probe.child").error("expected")
    assert fail_on_unexpected_logs.take() == []


@pytest.mark.parametrize(
    ("declared_level", "declared_logger", "emit"),
    [
        (logging.WARNING, "logfail_probe", lambda: log.error("worse than declared")),
        (logging.WARNING, "logfail_other", lambda: log.warning("other logger than declared")),
    ],
)
def test_a_record_outside_the_declaration_is_caught(
    caplog, fail_on_unexpected_logs, declared_level, declared_logger, emit
):
    with caplog.at_level(declared_level, logger=declared_logger):
        emit()
    assert len(fail_on_unexpected_logs.take()) == 1


def test_a_warning_after_the_declaration_ends_is_caught(caplog, fail_on_unexpected_logs: LogFailHandler):
    with caplog.at_level(logging.WARNING, logger="logfail_probe"):
        pass
    log.warning("too late")
    assert len(fail_on_unexpected_logs.take()) == 1


def test_a_warning_from_another_thread_is_caught(fail_on_unexpected_logs: LogFailHandler):
    worker = threading.Thread(target=log.warning, args=("from a worker",))
    worker.start()
    worker.join()
    assert [r.getMessage() for r in fail_on_unexpected_logs.take()] == ["from a worker"]


def test_the_fixture_fails_the_test(pytester, fail_on_unexpected_logs: LogFailHandler):
    pytester.makeconftest("""
        import logging, pytest
        from logfail import LogFailHandler, describe

        @pytest.fixture(autouse=True)
        def fail_on_unexpected_logs():
            handler = LogFailHandler()
            logging.getLogger().addHandler(handler)
            yield
            logging.getLogger().removeHandler(handler)
            if unexpected := handler.take():
                pytest.fail(describe(unexpected), pytrace=False)
    """)
    pytester.makepyfile("""
        import logging

        def test_surprised():
            logging.getLogger("inner").warning("boom")

        def test_declared(caplog):
            with caplog.at_level(logging.WARNING, logger="inner"):
                logging.getLogger("inner").warning("boom")
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*1 unexpected log record*", "*WARNING inner: boom*"])
    fail_on_unexpected_logs.take()  # the inner run's surprise also reached this test's handler
