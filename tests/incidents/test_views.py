"""The desk's browser pages: intake, list, incident page, actions, my jobs, role access."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.text import capfirst
from PIL import Image

from incidents import services
from incidents.models import EventKind, Incident, IncidentEvent, Status
from teams.models import Team
from tests import factories

pytestmark = pytest.mark.django_db


def intake_data(**overrides):
    data = {
        "customer_name": "Zhang Wei",
        "customer_phone": "+86 138 0000 0000",
        "asset_ref": "lsvau2180n2000001",
        "title": "Battery pack will not charge",
        "category": factories.category().pk,
        "grade": "II",
        "description": "Stopped charging at 20%.",
        "channel": "hotline",
        "location": "G2 km 1032",
    }
    data.update(overrides)
    return data


def png_file(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class TestIntake:
    def test_dispatcher_logs_a_report_and_lands_on_its_page(
        self, org, dispatcher_client, dispatcher
    ):
        response = dispatcher_client.post(reverse("incidents:create"), intake_data())
        incident = Incident.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("incidents:detail", args=[incident.pk])
        assert incident.reporter == dispatcher
        assert incident.asset_ref == "LSVAU2180N2000001"
        assert incident.status == Status.REPORTED
        assert incident.events.filter(kind=EventKind.REPORTED).count() == 1

    def test_late_log_keeps_the_customers_time(self, org, dispatcher_client):
        reported = (timezone.localtime() - timedelta(minutes=40)).replace(second=0, microsecond=0)
        dispatcher_client.post(
            reverse("incidents:create"),
            intake_data(reported_at=reported.strftime("%Y-%m-%dT%H:%M")),
        )
        incident = Incident.objects.get()
        assert incident.reported_at == reported
        assert incident.confirm_deadline == reported + timedelta(minutes=30)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"title": "  "}, "title"),
            ({"grade": "IV"}, "grade"),
            ({"grade": ""}, "grade"),
            ({"customer_phone": "call me maybe"}, "customer_phone"),
            ({"latitude": "123.5"}, "latitude"),
            ({"category": "999999"}, "category"),
            ({"channel": "pigeon"}, "channel"),
        ],
    )
    def test_bad_input_gives_form_errors_and_writes_nothing(
        self, org, dispatcher_client, overrides, field
    ):
        response = dispatcher_client.post(reverse("incidents:create"), intake_data(**overrides))
        assert response.status_code == 422
        assert field in response.context["form"].errors
        assert not Incident.objects.exists()

    def test_future_report_time_is_refused(self, org, dispatcher_client):
        future = timezone.localtime() + timedelta(hours=2)
        response = dispatcher_client.post(
            reverse("incidents:create"),
            intake_data(reported_at=future.strftime("%Y-%m-%dT%H:%M")),
        )
        assert response.status_code == 422
        assert "reported_at" in response.context["form"].errors
        assert not Incident.objects.exists()

    def test_a_future_report_time_is_refused_inline_as_the_dispatcher_leaves_the_field(
        self, dispatcher_client
    ):
        future = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        url = reverse("incidents:validate_field", args=["reported_at"])
        response = dispatcher_client.post(url, {"reported_at": future})
        assert response.status_code == 200
        assert b"cannot be in the future" in response.content
        past = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        assert b"errorlist" not in dispatcher_client.post(url, {"reported_at": past}).content

    def test_a_failed_submit_keeps_the_deadline_preview_and_focuses_the_first_error(
        self, org, dispatcher_client
    ):
        response = dispatcher_client.post(
            reverse("incidents:create"),
            intake_data(grade="I", customer_phone="call me", title="", latitude="500"),
        )
        assert response.status_code == 422
        html = response.content.decode()
        preview = html[html.index('id="deadline-preview"') :]
        assert "deadline-preview stack" in preview[:400]  # rendered, not waiting for a click
        assert response.context["deadlines"] is not None
        form = response.context["form"]
        assert form["customer_phone"].field.widget.attrs.get("autofocus") is True
        assert not form["customer_name"].field.widget.attrs.get("autofocus")
        assert html.count("autofocus") == 1
        assert 'aria-invalid="true"' in html

    def test_technician_cannot_open_the_intake_form(self, technician_client):
        assert technician_client.get(reverse("incidents:create")).status_code == 403
        assert technician_client.post(reverse("incidents:create"), {}).status_code == 403

    def test_deadline_preview_shows_the_confirm_deadline_for_the_grade(self, dispatcher_client):
        response = dispatcher_client.get(
            reverse("incidents:deadline_preview"),
            {"grade": "I", "reported_at": "2026-11-23T10:00"},
        )
        assert response.status_code == 200
        assert b"10:30" in response.content
        assert (
            dispatcher_client.get(reverse("incidents:deadline_preview"), {"grade": "nope"}).content
            == b""
        )

    def test_anonymous_user_is_sent_to_login(self, client):
        response = client.get(reverse("incidents:create"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


class TestIncidentPageAndActions:
    def test_page_shows_facts_timeline_and_allowed_actions(
        self, org, dispatcher_client, dispatcher
    ):
        incident = factories.report(dispatcher, grade="I")
        response = dispatcher_client.get(reverse("incidents:detail", args=[incident.pk]))
        assert response.status_code == 200
        assert response.context["actions"] == ["confirm", "cancel", "regrade", "update"]
        assert incident.number.encode() in response.content
        assert len(response.context["directives"]) == 5

    def test_confirm_then_dispatch_through_the_page(
        self, org, dispatcher_client, dispatcher, technician
    ):
        incident = factories.report(dispatcher)
        url = reverse("incidents:action", args=[incident.pk, "confirm"])
        assert dispatcher_client.post(url, {"note": "Replace pack"}).status_code == 302
        url = reverse("incidents:action", args=[incident.pk, "dispatch"])
        assert dispatcher_client.post(url, {"assignee": technician.pk}).status_code == 302
        incident.refresh_from_db()
        assert incident.status == Status.DISPATCHED
        assert incident.assignee == technician
        assert incident.team == org["service_centre"]

    def test_refused_transition_is_a_message_not_a_500(self, org, dispatcher_client, dispatcher):
        incident = factories.report(dispatcher)
        url = reverse("incidents:action", args=[incident.pk, "close"])
        response = dispatcher_client.post(url, {}, follow=True)
        assert response.status_code == 200
        messages = [str(m) for m in response.context["messages"]]
        assert any("close" in m.lower() for m in messages)
        incident.refresh_from_db()
        assert incident.status == Status.REPORTED

    def test_resolve_without_resolution_shows_the_form_error(self, org, manager_client, manager):
        incident = factories.report(manager)
        url = reverse("incidents:action", args=[incident.pk, "resolve"])
        manager_client.post(reverse("incidents:action", args=[incident.pk, "confirm"]), {})
        response = manager_client.post(url, {"resolution": "   "})
        assert response.status_code == 422
        assert "resolution" in response.context["action_forms"]["resolve"].errors
        incident.refresh_from_db()
        assert incident.status == Status.CONFIRMED

    def test_cancel_needs_a_reason(self, org, dispatcher_client, dispatcher):
        incident = factories.report(dispatcher)
        url = reverse("incidents:action", args=[incident.pk, "cancel"])
        assert dispatcher_client.post(url, {"reason": ""}).status_code == 422
        assert dispatcher_client.post(url, {"reason": "Duplicate call"}).status_code == 302
        incident.refresh_from_db()
        assert incident.status == Status.CANCELLED

    def test_action_the_status_does_not_allow_is_refused_before_its_form(
        self, org, manager_client, manager
    ):
        incident = factories.report(manager)
        url = reverse("incidents:action", args=[incident.pk, "resolve"])
        response = manager_client.post(url, {"resolution": ""}, follow=True)
        assert response.status_code == 200
        messages = [str(m) for m in response.context["messages"]]
        assert messages == ["Cannot resolve an incident that is reported."]

    def test_each_action_says_what_happened_in_the_readers_language(
        self, org, dispatcher_client, dispatcher, technician
    ):
        technician.first_name, technician.last_name = "Li", "Gang"
        technician.save()
        incident = factories.report(dispatcher)
        n = incident.number

        def said(url_name, *args, lang="en", **data):
            dispatcher_client.cookies["django_language"] = lang
            response = dispatcher_client.post(
                reverse(url_name, args=[incident.pk, *args]), data, follow=True
            )
            assert response.status_code == 200
            return [str(m) for m in response.context["messages"]]

        assert said("incidents:action", "confirm") == [f"{n} confirmed."]
        assert said("incidents:action", "dispatch", assignee=technician.pk) == [
            f"{n} dispatched to Li Gang · {org['service_centre'].name}."
        ]
        assert said("incidents:add_note", text="Customer called back") == [f"Note added to {n}."]
        assert said("incidents:add_note", text="再次来电", lang="zh-hans") == [
            f"已为 {n} 添加备注。"
        ]
        assert said("incidents:action", "regrade", lang="zh-hans", grade="I") == [
            f"{n} 已调整为一级（重大）。"  # noqa: RUF001
        ]
        assert said("incidents:action", "cancel", reason="Duplicate") == [f"{n} cancelled."]

    def test_unknown_action_is_404(self, org, dispatcher_client, dispatcher):
        incident = factories.report(dispatcher)
        url = reverse("incidents:action", args=[incident.pk, "explode"])
        assert dispatcher_client.post(url, {}).status_code == 404

    def test_next_parameter_cannot_redirect_off_site(self, org, dispatcher_client, dispatcher):
        incident = factories.report(dispatcher)
        url = reverse("incidents:action", args=[incident.pk, "confirm"])
        response = dispatcher_client.post(url, {"next": "https://evil.example/"})
        assert response["Location"] == reverse("incidents:detail", args=[incident.pk])

    def test_note_is_added_to_the_timeline(self, org, dispatcher_client, dispatcher):
        incident = factories.report(dispatcher)
        dispatcher_client.post(
            reverse("incidents:add_note", args=[incident.pk]), {"text": "Customer called back"}
        )
        assert incident.events.filter(kind=EventKind.NOTE, text="Customer called back").exists()
        response = dispatcher_client.post(
            reverse("incidents:add_note", args=[incident.pk]), {"text": ""}
        )
        assert response.status_code == 422

    def test_detail_query_count_does_not_grow_with_the_timeline(
        self, org, dispatcher_client, dispatcher
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        incident = factories.report(dispatcher, grade="I")
        url = reverse("incidents:detail", args=[incident.pk])

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert dispatcher_client.get(url).status_code == 200
            return len(ctx.captured_queries)

        before = count()
        for n in range(10):
            factories.services.add_note(incident, actor=dispatcher, text=f"note {n}")
        assert count() == before


class TestRoleAccess:
    def test_technician_cannot_open_another_technicians_job_by_url(
        self, org, dispatcher, technician, other_technician, login
    ):
        incident = factories.report(dispatcher)
        factories.services.confirm_incident(incident, actor=dispatcher)
        factories.services.dispatch_incident(incident, actor=dispatcher, assignee=other_technician)
        client = login(technician)
        assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
        url = reverse("incidents:action", args=[incident.pk, "arrive"])
        assert client.post(url, {}).status_code == 404
        assert (
            client.post(
                reverse("incidents:add_note", args=[incident.pk]), {"text": "x"}
            ).status_code
            == 404
        )
        incident.refresh_from_db()
        assert incident.status == Status.DISPATCHED

    def test_technician_list_shows_only_their_jobs(
        self, org, dispatcher, technician, other_technician, login
    ):
        mine = factories.report(dispatcher, title="Mine")
        theirs = factories.report(dispatcher, title="Theirs")
        for incident, tech in ((mine, technician), (theirs, other_technician)):
            factories.services.confirm_incident(incident, actor=dispatcher)
            factories.services.dispatch_incident(incident, actor=dispatcher, assignee=tech)
        response = login(technician).get(reverse("incidents:list"))
        assert [i.pk for i in response.context["page"].object_list] == [mine.pk]

    def test_technician_cannot_confirm_even_their_own_job(self, org, dispatcher, technician, login):
        incident = factories.report(dispatcher, team=org["service_centre"])
        response = login(technician).post(
            reverse("incidents:action", args=[incident.pk, "confirm"]), {}, follow=True
        )
        assert response.status_code == 200
        incident.refresh_from_db()
        assert incident.status == Status.REPORTED

    def test_technician_home_is_my_jobs(self, technician_client):
        response = technician_client.get(reverse("home"))
        assert response["Location"] == reverse("incidents:my_jobs")


class TestMyJobs:
    def _dispatched(self, dispatcher, technician, **kw):
        incident = factories.report(dispatcher, **kw)
        factories.services.confirm_incident(incident, actor=dispatcher)
        return factories.services.dispatch_incident(incident, actor=dispatcher, assignee=technician)

    def test_arrive_and_resolve_from_the_phone_page(self, org, dispatcher, technician, login):
        incident = self._dispatched(dispatcher, technician)
        client = login(technician)
        jobs = reverse("incidents:my_jobs")
        assert incident in client.get(jobs).context["jobs"]
        response = client.post(
            reverse("incidents:action", args=[incident.pk, "arrive"]), {"next": jobs}
        )
        assert response["Location"] == jobs
        client.post(
            reverse("incidents:action", args=[incident.pk, "resolve"]),
            {"resolution": "Replaced the BMS fuse", "next": jobs},
        )
        incident.refresh_from_db()
        assert incident.status == Status.RESOLVED
        kinds = list(incident.events.values_list("kind", flat=True))
        assert kinds[-2:] == [EventKind.ARRIVED, EventKind.RESOLVED]
        assert incident not in client.get(jobs).context["jobs"]

    def test_resolving_from_the_job_card_leads_to_the_sign_off(
        self, org, dispatcher, technician, login
    ):
        incident = self._dispatched(dispatcher, technician)
        client = login(technician)
        html = client.get(reverse("incidents:my_jobs")).content.decode()
        sign = reverse("assessments:sign", args=[incident.pk])
        assert f'name="then" value="{sign}"' in html
        jobs = reverse("incidents:my_jobs")
        url = reverse("incidents:action", args=[incident.pk, "resolve"])
        refused = client.post(url, {"resolution": "", "next": jobs, "then": sign})
        assert refused["Location"] == jobs  # the error is shown where it was typed
        done = client.post(url, {"resolution": "New fuse", "next": jobs, "then": sign})
        assert done["Location"] == sign
        assert client.get(sign).status_code == 200

    def test_a_long_job_list_shows_the_most_urgent_and_links_to_the_rest(
        self, org, dispatcher, technician, login, settings, monkeypatch
    ):
        from incidents import views

        monkeypatch.setattr(views, "MY_JOBS_LIMIT", 2)
        jobs = [self._dispatched(dispatcher, technician, title=f"Job {n}") for n in range(3)]
        response = login(technician).get(reverse("incidents:my_jobs"))
        shown = response.context["jobs"]
        assert len(shown) == 2 and response.context["more"]
        assert [j.pk for j in shown] == [j.pk for j in jobs[:2]]  # earliest deadline first
        assert f"?assignee={technician.pk}&amp;status=confirmed" in response.content.decode()

    def test_photo_upload_from_the_camera(self, org, dispatcher, technician, login):
        incident = self._dispatched(dispatcher, technician)
        client = login(technician)
        response = client.post(
            reverse("incidents:add_photo", args=[incident.pk]),
            {
                "image": png_file(),
                "caption": "Melted connector",
                "next": reverse("incidents:my_jobs"),
            },
        )
        assert response.status_code == 302
        assert incident.photos.get().caption == "Melted connector"
        assert incident.events.filter(kind=EventKind.PHOTO).exists()

    def test_a_file_that_is_not_an_image_is_refused(self, org, dispatcher, technician, login):
        incident = self._dispatched(dispatcher, technician)
        bogus = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
        response = login(technician).post(
            reverse("incidents:add_photo", args=[incident.pk]), {"image": bogus}
        )
        assert response.status_code == 422
        assert not incident.photos.exists()


class TestListAndAsset:
    def test_overdue_filter_and_row_highlight(self, org, dispatcher, dispatcher_client):
        now = timezone.now()
        late = factories.report(
            dispatcher, title="Late", reported_at=now - timedelta(hours=1), now=now
        )
        factories.report(dispatcher, title="Fresh", now=now)
        response = dispatcher_client.get(reverse("incidents:list"), {"overdue": "true"})
        assert [i.pk for i in response.context["page"].object_list] == [late.pk]
        assert b'class="overdue' in response.content

    def test_search_by_number_and_asset(self, org, dispatcher, dispatcher_client):
        a = factories.report(dispatcher, asset_ref="VIN0000000000000A")
        factories.report(dispatcher, asset_ref="VIN0000000000000B")
        by_number = dispatcher_client.get(reverse("incidents:list"), {"search": a.number})
        assert [i.pk for i in by_number.context["page"].object_list] == [a.pk]
        by_asset = dispatcher_client.get(reverse("incidents:list"), {"search": "vin0000000000000a"})
        assert [i.pk for i in by_asset.context["page"].object_list] == [a.pk]

    def test_bad_filter_values_do_not_500(self, org, dispatcher_client):
        response = dispatcher_client.get(
            reverse("incidents:list"),
            {"status": "exploded", "reported_after": "yesterday", "team": "x", "page": "999"},
        )
        assert response.status_code == 200

    def test_list_query_count_does_not_grow_with_rows(
        self, org, dispatcher, dispatcher_client, django_assert_max_num_queries
    ):
        for n in range(12):
            factories.report(dispatcher, title=f"Report {n}")
        with django_assert_max_num_queries(12):
            response = dispatcher_client.get(reverse("incidents:list"))
        assert len(response.context["page"].object_list) == 12

    def test_asset_history_lists_every_incident_of_the_vin(
        self, org, dispatcher, dispatcher_client
    ):
        first = factories.report(dispatcher, asset_ref="LSVAU2180N2000009")
        second = factories.report(dispatcher, asset_ref="LSVAU2180N2000009")
        factories.report(dispatcher, asset_ref="OTHER")
        response = dispatcher_client.get(reverse("incidents:asset", args=["lsvau2180n2000009"]))
        assert {i.pk for i in response.context["page"].object_list} == {first.pk, second.pk}

    def test_an_asset_ref_with_a_slash_has_a_working_page_and_history(
        self, org, dispatcher, dispatcher_client
    ):
        incident = factories.report(dispatcher, asset_ref="SN-2024/00042")
        page = dispatcher_client.get(reverse("incidents:detail", args=[incident.pk]))
        assert page.status_code == 200
        link = reverse("incidents:asset", args=["SN-2024/00042"])
        assert link.encode() in page.content
        history = dispatcher_client.get(link)
        assert history.status_code == 200
        assert [i.pk for i in history.context["page"].object_list] == [incident.pk]
        assert history.context["asset_ref"] == "SN-2024/00042"


class TestLanguages:
    @pytest.mark.parametrize("url_name", ["incidents:list", "incidents:create", "home"])
    def test_pages_render_in_chinese(self, org, dispatcher_client, url_name):
        dispatcher_client.cookies["django_language"] = "zh-hans"
        response = dispatcher_client.get(reverse(url_name))
        assert response.status_code == 200
        assert 'lang="zh-hans"' in response.content.decode()
        assert "事件" in response.content.decode()

    def test_the_timeline_reads_in_the_readers_language(
        self, org, dispatcher, dispatcher_client, technician
    ):
        from escalation.models import Target
        from incidents.models import DirectiveStatus, EventKind, Grade
        from incidents.services import record_event

        Team.objects.filter(pk=org["tech"].pk).update(name_zh="技术支持组")
        Team.objects.filter(pk=org["service_centre"].pk).update(name_zh="华东服务中心")
        incident = factories.report(dispatcher, grade="II")
        services.regrade_incident(incident, actor=dispatcher, grade="I", reason="Fire risk")
        services.update_incident(incident, actor=dispatcher, title="Pack smoking")
        services.confirm_incident(incident, actor=dispatcher)
        services.dispatch_incident(incident, actor=dispatcher, assignee=technician)
        directive = incident.directives.get(team=org["tech"])
        services.report_directive_progress(
            directive, actor=org["tech_leader"], status=DirectiveStatus.ACKNOWLEDGED
        )
        record_event(
            incident, EventKind.ESCALATED, actor=None, data={"level": 2, "target": "arrive"}
        )
        url = reverse("incidents:detail", args=[incident.pk])

        def timeline(language: str) -> str:
            dispatcher_client.cookies["django_language"] = language
            html = dispatcher_client.get(url).content.decode()
            start = html.index('class="timeline"')
            return html[start : html.index("</ol>", start)]

        english = timeline("en")
        for text in ("Technical support group", "East service centre", "Acknowledged", "Title"):
            assert text in english
        assert f"{Grade.II.label} → {Grade.I.label}" in english
        assert f"Step 2 · {Target.ARRIVE.label}" in english
        chinese = timeline("zh-hans")
        with translation.override("zh-hans"):
            expected = [
                "技术支持组",
                "华东服务中心",
                str(DirectiveStatus.ACKNOWLEDGED.label),
                str(capfirst(Incident._meta.get_field("title").verbose_name)),
                f"{Grade.II.label} → {Grade.I.label}",
                f"第 2 级升级 · {Target.ARRIVE.label}",
            ]
        for text in expected:
            assert text in chinese
        for code in ("acknowledged", "arrive", "Technical support group"):
            assert code not in chinese

    def test_the_systems_words_on_the_timeline_follow_the_reader(
        self, org, dispatcher, dispatcher_client
    ):
        from django.utils.translation import gettext, gettext_noop

        from incidents.services import Said, record_event

        incident = factories.report(dispatcher)
        msgid = gettext_noop("Customer rated the service %(r)s/5.")
        with translation.override("zh-hans"):  # written while a Chinese page was served
            event = record_event(incident, EventKind.NOTE, text=Said(msgid, r=4))
            chinese = gettext(msgid) % {"r": 4}
        assert chinese != "Customer rated the service 4/5."  # the catalogue has it
        event.refresh_from_db()
        assert event.text == "Customer rated the service 4/5."  # stored in LANGUAGE_CODE
        assert event.data["said"] == [msgid, {"r": 4}]
        url = reverse("incidents:detail", args=[incident.pk])
        dispatcher_client.cookies["django_language"] = "zh-hans"
        assert chinese in dispatcher_client.get(url).content.decode()
        dispatcher_client.cookies["django_language"] = "en"
        assert "Customer rated the service 4/5." in dispatcher_client.get(url).content.decode()
        # A damaged record falls back to the stored words instead of failing the page.
        broken = IncidentEvent(incident=incident, text="kept", data={"said": ["%(x)s", {"y": 1}]})
        assert broken.display_text == "kept"


class TestInlineValidation:
    def test_bad_phone_is_flagged_as_the_dispatcher_leaves_the_field(self, dispatcher_client):
        response = dispatcher_client.post(
            reverse("incidents:validate_field", args=["customer_phone"]),
            {"customer_phone": "abc"},
        )
        assert response.status_code == 200
        assert b"errorlist" in response.content
        ok = dispatcher_client.post(
            reverse("incidents:validate_field", args=["customer_phone"]),
            {"customer_phone": "13800000000"},
        )
        assert b"errorlist" not in ok.content

    def test_only_known_fields_are_validated(self, dispatcher_client):
        url = reverse("incidents:validate_field", args=["password"])
        assert dispatcher_client.post(url, {}).status_code == 404

    def test_search_for_a_vin_offers_the_asset_history(self, org, dispatcher, dispatcher_client):
        factories.report(dispatcher, asset_ref="LSVAU2180N2000077")
        response = dispatcher_client.get(reverse("incidents:list"), {"search": "LSVAU2180N2000077"})
        assert reverse("incidents:asset", args=["LSVAU2180N2000077"]).encode() in response.content


class TestPhotosArePrivate:
    def test_photo_is_served_only_to_users_who_see_the_incident(
        self, org, dispatcher, technician, other_technician, login
    ):
        incident = factories.report(dispatcher)
        factories.services.confirm_incident(incident, actor=dispatcher)
        factories.services.dispatch_incident(incident, actor=dispatcher, assignee=technician)
        photo = factories.services.add_photo(incident, actor=technician, image=png_file())
        url = reverse("incidents:photo", args=[incident.pk, photo.pk])
        response = login(technician).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert login(other_technician).get(url).status_code == 404


class TestEditReport:
    def test_dispatcher_corrects_the_report_and_the_change_is_on_the_timeline(
        self, org, dispatcher, dispatcher_client
    ):
        incident = factories.report(dispatcher)
        url = reverse("incidents:edit", args=[incident.pk])
        assert dispatcher_client.get(url).status_code == 200
        data = intake_data(title="Battery pack will not charge (12V)", grade="III")
        response = dispatcher_client.post(url, data)
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.title == "Battery pack will not charge (12V)"
        event = incident.events.get(kind=EventKind.UPDATED)
        assert "title" in event.data["changed"]

    def test_edit_with_bad_input_changes_nothing(self, org, dispatcher, dispatcher_client):
        incident = factories.report(dispatcher)
        url = reverse("incidents:edit", args=[incident.pk])
        response = dispatcher_client.post(url, intake_data(title="", customer_phone="x"))
        assert response.status_code == 422
        incident.refresh_from_db()
        assert incident.title == "Battery will not charge"
        assert not incident.events.filter(kind=EventKind.UPDATED).exists()

    def test_edit_page_of_an_incident_the_user_cannot_see_is_404_not_403(
        self, org, dispatcher, technician, login
    ):
        elsewhere = factories.report(dispatcher)  # not the technician's job nor team's
        client = login(technician)
        url = reverse("incidents:edit", args=[elsewhere.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, intake_data()).status_code == 404
        assert client.get(reverse("incidents:edit", args=[10**8])).status_code == 404

    def test_technician_cannot_edit(self, org, dispatcher, technician, login):
        incident = factories.report(dispatcher, team=org["service_centre"])
        url = reverse("incidents:edit", args=[incident.pk])
        assert login(technician).post(url, intake_data()).status_code == 403


class TestErrorPages:
    def test_404_is_the_desks_own_page_in_the_users_language(self, dispatcher_client, settings):
        settings.DEBUG = False
        dispatcher_client.cookies["django_language"] = "zh-hans"
        response = dispatcher_client.get("/incidents/999999999/")
        assert response.status_code == 404
        assert "返回工作台" in response.content.decode()

    def test_403_page_explains_the_role(self, technician_client):
        response = technician_client.get(reverse("incidents:create"))
        assert response.status_code == 403
        assert b"Your role does not allow this" in response.content


class TestKeyboard:
    def test_go_to_an_incident_by_its_full_or_partial_number(
        self, org, dispatcher, dispatcher_client
    ):
        incident = factories.report(dispatcher)
        detail = reverse("incidents:detail", args=[incident.pk])
        go = reverse("incidents:goto")
        for typed in (
            incident.number,
            incident.number.lower(),
            str(incident.pk),
            "000" + str(incident.pk),
            incident.number[3:],
        ):
            assert dispatcher_client.get(go, {"number": typed})["Location"] == detail, typed
        wrong_day = f"AS-19990101-{incident.pk:06d}"
        missing = dispatcher_client.get(go, {"number": wrong_day}, follow=True)
        assert missing.request["PATH_INFO"] == reverse("incidents:list")
        assert [str(m) for m in missing.context["messages"]] == [
            f"No incident numbered {wrong_day}."
        ]

    def test_go_to_an_incident_the_user_cannot_see_finds_nothing(
        self, org, dispatcher, technician, login
    ):
        incident = factories.report(dispatcher)
        response = login(technician).get(reverse("incidents:goto"), {"number": incident.number})
        assert response["Location"].startswith(reverse("incidents:list"))

    def test_the_keyboard_help_is_translated_and_offers_new_report_only_to_dispatchers(
        self, dispatcher_client, technician_client
    ):
        dispatcher_client.cookies["django_language"] = "zh-hans"
        html = dispatcher_client.get(reverse("incidents:keyboard")).content.decode()
        assert "键盘快捷键" in html and "新建报告" in html
        assert "Keyboard shortcuts" not in html
        assert (
            "New report"
            not in technician_client.get(reverse("incidents:keyboard")).content.decode()
        )

    def test_every_page_loads_the_shortcuts_and_the_saved_report_drops_its_draft(
        self, org, dispatcher_client
    ):
        home = dispatcher_client.get(reverse("incidents:create")).content.decode()
        assert "js/shortcuts.js" in home and "js/intake.js" in home
        response = dispatcher_client.post(reverse("incidents:create"), intake_data(), follow=True)
        assert b"data-intake-saved" in response.content
        again = dispatcher_client.get(response.request["PATH_INFO"])
        assert b"data-intake-saved" not in again.content


class TestCallerHistory:
    URL = reverse_lazy("incidents:caller_history")

    def test_an_open_incident_of_the_phone_is_warned_with_a_link(
        self, org, dispatcher, dispatcher_client
    ):
        open_one = factories.report(dispatcher, customer_phone="+86 138-0000-0001")
        closed = factories.report(dispatcher, customer_phone="13800000001")
        services.cancel_incident(closed, actor=dispatcher, reason="duplicate")
        factories.report(dispatcher, customer_phone="13800000002")
        response = dispatcher_client.get(self.URL, {"customer_phone": "138 0000 0001"})
        history = response.context["history"]
        assert [i.pk for i in history.open] == [open_one.pk]
        assert {i.pk for i in history.by_phone} == {open_one.pk, closed.pk}
        html = response.content.decode()
        assert "already has 1 open incident" in html
        assert reverse("incidents:detail", args=[open_one.pk]) in html

    def test_the_vehicles_incidents_are_found_by_vin(self, org, dispatcher, dispatcher_client):
        mine = factories.report(dispatcher, asset_ref="LSVAU2180N2000555")
        factories.report(dispatcher, asset_ref="LSVAU2180N2000556")
        response = dispatcher_client.get(self.URL, {"asset_ref": "lsvau2180n2000555 "})
        assert [i.pk for i in response.context["history"].open] == [mine.pk]
        assert reverse("incidents:asset", args=["LSVAU2180N2000555"]) in response.content.decode()

    def test_nothing_is_looked_up_while_the_number_is_being_typed(
        self, org, dispatcher, dispatcher_client
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        factories.report(dispatcher, customer_phone="13800000001")
        with CaptureQueriesContext(connection) as ctx:
            response = dispatcher_client.get(self.URL, {"customer_phone": "138", "asset_ref": "LS"})
        assert not [q for q in ctx.captured_queries if "incidents_incident" in q["sql"]]
        assert response.content.strip() == b""

    def test_query_count_is_fixed_whatever_the_history(
        self, org, dispatcher, dispatcher_client, django_assert_num_queries
    ):
        def count():
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                dispatcher_client.get(
                    self.URL, {"customer_phone": "13800000001", "asset_ref": "LSVAU2180N2000555"}
                )
            return len(ctx.captured_queries)

        factories.report(dispatcher, customer_phone="13800000001", asset_ref="LSVAU2180N2000555")
        before = count()
        for _ in range(8):
            factories.report(
                dispatcher, customer_phone="13800000001", asset_ref="LSVAU2180N2000555"
            )
        assert count() == before

    def test_the_phone_lookup_uses_its_index(self, org, dispatcher):
        from django.db import connection

        from incidents.services.lookup import phone_index

        # Enough callers for the planner to weigh the index against a scan by report time
        # (on an empty table the two cost the same and either may be chosen).
        for n in range(200):
            factories.report(dispatcher, customer_phone=f"139{n:08d}")
        query = Incident.objects.filter(customer_phone_bidx=phone_index("13800000001"))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE incidents_incident")
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = query.order_by("-reported_at").explain()
        assert "incident_phone_bidx" in plan

    def test_only_those_who_log_reports_may_look_up_callers(self, technician_client):
        assert technician_client.get(self.URL, {"customer_phone": "13800000001"}).status_code == 403


class TestLiveIncidentPage:
    def _poll_url(self, client, incident):
        page = client.get(reverse("incidents:detail", args=[incident.pk]))
        html = page.content.decode()
        start = html.index('hx-get="', html.index('id="incident-live"')) + len('hx-get="')
        return html[start : html.index('"', start)].replace("&amp;", "&")

    def test_nothing_new_is_a_204_and_a_confirmation_is_swapped_in(
        self, org, dispatcher, manager, dispatcher_client
    ):
        incident = factories.report(dispatcher)
        url = self._poll_url(dispatcher_client, incident)
        assert dispatcher_client.get(url).status_code == 204
        services.confirm_incident(incident, actor=manager, note="Replace the pack")
        response = dispatcher_client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        for part in ("incident-pills", "incident-deadlines", "incident-timeline", "incident-live"):
            assert f'id="{part}" hx-swap-oob="true"' in html
        assert "Replace the pack" in html
        assert "This incident is now Confirmed." in html
        assert 'hx-trigger="every 4s"' in html
        # The next poll asks with the new version: nothing new again.
        start = html.index('hx-get="') + len('hx-get="')
        assert dispatcher_client.get(html[start : html.index('"', start)]).status_code == 204

    def test_a_new_note_is_swapped_in_and_the_query_count_is_fixed(
        self, org, dispatcher, dispatcher_client
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        incident = factories.report(dispatcher, grade="I")
        url = self._poll_url(dispatcher_client, incident)

        def count() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as ctx:
                response = dispatcher_client.get(url)
            return response.status_code, len(ctx.captured_queries)

        services.add_note(incident, actor=dispatcher, text="first")
        status, first = count()
        assert status == 200
        for n in range(6):
            services.add_note(incident, actor=dispatcher, text=f"note {n}")
        assert count() == (200, first)
        assert "note 5" in dispatcher_client.get(url).content.decode()

    def test_polling_stops_once_the_incident_is_closed_or_cancelled(
        self, org, dispatcher, dispatcher_client
    ):
        incident = factories.report(dispatcher)
        url = self._poll_url(dispatcher_client, incident)
        services.cancel_incident(incident, actor=dispatcher, reason="duplicate")
        html = dispatcher_client.get(url).content.decode()
        poller = html[
            html.index('id="incident-live"') : html.index(">", html.index('id="incident-live"'))
        ]
        assert "hx-trigger" not in poller
        page = dispatcher_client.get(reverse("incidents:detail", args=[incident.pk])).content
        assert b"every 4s" not in page

    def test_someone_who_cannot_see_the_incident_gets_404(self, org, dispatcher, technician, login):
        incident = factories.report(dispatcher)
        assert (
            login(technician).get(reverse("incidents:live", args=[incident.pk])).status_code == 404
        )


def test_every_action_form_has_its_service_and_every_bulk_choice_too():
    from incidents.forms import ACTION_FORMS
    from incidents.list_forms import BulkActionForm
    from incidents.list_views import BULK_SERVICES
    from incidents.views import ACTION_SERVICES

    assert set(ACTION_SERVICES) == set(ACTION_FORMS)
    choices = {value for value, _label in BulkActionForm.base_fields["action"].choices}
    assert choices == set(BULK_SERVICES)
