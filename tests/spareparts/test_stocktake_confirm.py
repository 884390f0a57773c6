"""Posting a stocktake whose differences exceed SPAREPARTS_STOCKTAKE_CONFIRM_OVER units
asks first: nothing moves until the poster confirms those lines."""

import pytest
from django.urls import reverse

from spareparts import services
from spareparts.exceptions import StocktakeNeedsConfirmation
from spareparts.models import StocktakeStatus
from tests.spareparts.helpers import balance


@pytest.fixture
def counted(depots, battery, charger, stock, logistics, settings):
    settings.SPAREPARTS_STOCKTAKE_CONFIRM_OVER = 10
    stock(battery, depots["east"], 40)
    stock(charger, depots["east"], 5, lots=["B7"])
    take = services.open_stocktake(depot=depots["east"], actor=logistics)
    services.record_counts(take, {battery.pk: 18, charger.pk: 4}, actor=logistics)
    return take


def test_a_difference_over_the_threshold_needs_confirmation(counted, depots, battery, logistics):
    with pytest.raises(StocktakeNeedsConfirmation) as refused:
        services.post_stocktake(counted, actor=logistics, reason="Quarterly count")
    assert [(line.part, line.difference) for line in refused.value.lines] == [(battery, -22)]
    counted.refresh_from_db()
    assert counted.status == StocktakeStatus.OPEN
    assert balance(battery, depots["east"]).on_hand == 40

    services.post_stocktake(counted, actor=logistics, reason="Quarterly count", confirmed=True)
    assert balance(battery, depots["east"]).on_hand == 18


def test_the_post_form_labels_its_reason_and_asks_before_posting(
    counted, depots, battery, charger, logistics, login
):
    client = login(logistics)
    page = client.get(reverse("spareparts:stocktake", args=[counted.pk])).text
    assert '<label for="id_reason">Reason for the adjustments</label>' in page

    url = reverse("spareparts:stocktake_action", args=[counted.pk, "post"])
    ask = client.post(url, {"reason": "Quarterly count"})
    assert ask.status_code == 200
    assert "Confirm large differences" in ask.text
    box = ask.text[ask.text.index('id="confirm-post"') :]
    box = box[: box.index("</section>")]
    assert "BAT-48V" in box and ">-22<" in box and "CHG-10A" not in box
    assert 'name="confirmed" value="1"' in box and 'value="Quarterly count"' in box
    assert balance(battery, depots["east"]).on_hand == 40

    done = client.post(url, {"reason": "Quarterly count", "confirmed": "1"}, follow=True)
    assert "Stocktake posted" in done.text
    assert balance(battery, depots["east"]).on_hand == 18
    assert balance(charger, depots["east"]).on_hand == 4
