"""Plate normal form, OCR look-alikes and the weighted distance hotlists and search share."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtcc.analysis.plate_text import (
    PlateError,
    confusable,
    fold_confusions,
    normalize_plate,
    plate_distance,
)

plates = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8)


def test_normal_form_keeps_letters_and_digits_upper_case() -> None:
    assert normalize_plate(" 7ab-123 ") == "7AB123"


@pytest.mark.parametrize("text", ["", " - ", "ABCDEFGHIJK"])
def test_impossible_plates_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(PlateError, match=r"no letters|longer than 10"):
        normalize_plate(text)


def test_look_alikes_fold_together() -> None:
    assert fold_confusions("SO8IL2") == fold_confusions("5DB1LZ")
    assert fold_confusions("ABC") != fold_confusions("ABD")
    assert confusable("O", "Q") and confusable("B", "8") and not confusable("B", "D")


def test_a_look_alike_costs_less_than_another_substitution() -> None:
    assert plate_distance("7ABC123", "7ABC123") == 0
    assert plate_distance("7ABC123", "7A8C123") == 0.25
    assert plate_distance("7ABC123", "7AXC123") == 1
    assert plate_distance("7ABC123", "7ABC12") == 1


@given(plates, plates)
def test_distance_is_symmetric_and_bounded(a: str, b: str) -> None:
    d = plate_distance(a, b)
    assert d == plate_distance(b, a)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert (d == 0) == (a == b)
