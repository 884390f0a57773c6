import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.vehicles.helpers import with_check_digit, wrong_check_digit
from vehicles.vin import check_digit, validate_vin

# Real-format VINs: WMI, descriptor, check digit, model year, plant, serial.
BODIES = ["LSVAU2180N2183294", "LFV2A21K0P4000001", "LHYEV7C40RG100137", "1M8GDM9AXKP042788"]


@pytest.mark.parametrize("body", BODIES)
def test_a_vin_with_its_check_digit_is_valid(body):
    vin = with_check_digit(body)
    validate_vin(vin)
    assert check_digit(vin) == vin[8]


def test_the_standards_worked_example_has_check_digit_x():
    # The example of ISO 3779 / 49 CFR 565: 1M8GDM9A_KP042788 has the check digit X.
    assert check_digit("1M8GDM9AXKP042788") == "X"
    validate_vin("1M8GDM9AXKP042788")


@pytest.mark.parametrize("body", BODIES)
def test_a_wrong_check_digit_is_refused_with_the_expected_one(body):
    vin = with_check_digit(body)
    with pytest.raises(ValidationError) as exc:
        validate_vin(wrong_check_digit(vin))
    assert exc.value.code == "vin_check_digit"
    assert f"should be {vin[8]}" in exc.value.messages[0]


def test_lower_case_and_spaces_are_normalised():
    validate_vin("  " + with_check_digit("LSVAU2180N2183294").lower() + " ")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("LSVAU2180N218329", "vin_length"),
        ("LSVAU2180N21832941", "vin_length"),
        ("LSVAU2I80N2183294", "vin_letters"),
        ("LSVAU2180N21832O4", "vin_letters"),
        ("LSVAU2180N2-83294", "vin_chars"),
    ],
)
def test_malformed_vins_say_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_vin(value)
    assert exc.value.code == code


def test_the_error_reads_in_chinese():
    vin = wrong_check_digit(with_check_digit("LSVAU2180N2183294"))
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            validate_vin(vin)
        message = str(exc.value.messages[0])
    assert "校验位" in message
    assert "check digit" not in message
