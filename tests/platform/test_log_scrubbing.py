from __future__ import annotations

import logging

from tuoyu_portal.logfilters import RedactPersonalData, scrub


def test_it_masks_id_and_phone_numbers() -> None:
    text = scrub("申请人 11010519491231002X 电话13812345678，编号 371103-2026-00001")
    assert "11010519491231002X" not in text and "110105********002X" in text
    assert "13812345678" not in text and "138****5678" in text
    assert "371103-2026-00001" in text


def test_the_configured_console_handler_never_writes_them(capsys: object) -> None:
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalData())
    logger = logging.getLogger("tests.scrub")
    logger.addHandler(handler)
    try:
        logger.warning("refused staff %s phone %s", "11010519491231002X", "13812345678")
        try:
            raise ValueError("bad id 11010519491231002X")
        except ValueError:
            logger.exception("failure")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "11010519491231002X" not in output
    assert "13812345678" not in output
    assert "110105********002X" in output


def test_the_settings_attach_the_filter_to_every_console_log() -> None:
    from django.conf import settings

    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]
