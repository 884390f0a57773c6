import pytest
from django.core.management import CommandError, call_command

from tests.vehicles.helpers import make_model, with_check_digit, wrong_check_digit
from vehicles.models import Vehicle
from vehicles.services import import_vehicles

pytestmark = pytest.mark.django_db

GOOD_1 = with_check_digit("LHYEV7C40RG100137")
GOOD_2 = with_check_digit("LHYEV5B20RS100274")


def csv_text(*rows: str) -> str:
    return "vin,model,battery_serial,production_batch,sale_date,owner_name\n" + "\n".join(rows)


def test_valid_rows_are_imported_and_each_rejected_row_says_why():
    make_model("ev7")
    report = import_vehicles(
        csv_text(
            f"{GOOD_1},ev7,BP-1,2024-W18,2025-03-02,Lin Xiaoyan",
            f"{wrong_check_digit(GOOD_2)},ev7,,,,",
            f"{GOOD_2},tr9,,,,",
            f"{GOOD_2.lower()},ev7,,,2025-13-01,",
            f"{GOOD_1},ev7,,,,",
        )
    )
    assert (report.created, report.updated) == (1, 0)
    reasons = {line: " ".join(why) for line, _vin, why in report.rejected}
    assert set(reasons) == {3, 4, 5, 6}
    assert "check digit" in reasons[3]
    assert "Unknown vehicle model 'tr9'" in reasons[4]
    assert "YYYY-MM-DD" in reasons[5]
    assert "earlier line" in reasons[6]
    vehicle = Vehicle.objects.get()
    assert (vehicle.vin, vehicle.battery_serial, str(vehicle.sale_date)) == (
        GOOD_1,
        "BP-1",
        "2025-03-02",
    )


def test_a_second_import_updates_by_vin():
    make_model("ev7")
    import_vehicles(csv_text(f"{GOOD_1},ev7,,B1,,"))
    report = import_vehicles(csv_text(f"{GOOD_1},ev7,,B2,,"))
    assert (report.created, report.updated) == (0, 1)
    assert Vehicle.objects.get().production_batch == "B2"


def test_a_file_without_the_vin_column_is_rejected_whole():
    make_model("ev7")
    report = import_vehicles("model,owner_name\nev7,Someone\n")
    assert report.created == 0 and "Missing column: vin" in report.rejected[0][2][0]


def test_the_command_lists_rejects_and_fails(tmp_path, capsys):
    make_model("ev7")
    path = tmp_path / "vehicles.csv"
    path.write_text(csv_text(f"{GOOD_1},ev7,,,,", "LSVAU2180N218329,ev7,,,,"), encoding="utf-8")
    with pytest.raises(CommandError, match="1 rows rejected"):
        call_command("import_vehicles", str(path))
    out = capsys.readouterr().out
    assert "1 vehicles created" in out
    assert "line 3 LSVAU2180N218329: A VIN has 17 characters; this one has 16." in out
    assert Vehicle.objects.filter(vin=GOOD_1).exists()
