"""Metric dimension values built from rejection reasons stay short and few."""

from __future__ import annotations

from hookgate.observe import REASON_MAX_LENGTH, metric_reason


def test_reason_is_folded_to_a_slug() -> None:
    assert metric_reason("Signature mismatch") == "signature_mismatch"
    assert metric_reason("  stale timestamp (x-sinch) ") == "stale_timestamp_x_sinch"


def test_reason_carrying_request_data_is_bounded() -> None:
    folded = metric_reason("bad nonce " + "é\u202e<script>" * 40)
    assert len(folded) <= REASON_MAX_LENGTH
    assert set(folded) <= set("abcdefghijklmnopqrstuvwxyz0123456789_")


def test_empty_reason_has_a_name() -> None:
    assert metric_reason("") == metric_reason("!!!") == "unspecified"
