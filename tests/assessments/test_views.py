import re
import subprocess

import pytest
import time_machine
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Survey
from incidents import services as incident_services
from tests.assessments.conftest import utc


@pytest.fixture
def survey(resolved_incident):
    return Survey.objects.get(incident=resolved_incident("I", customer_name="张伟"))


def test_survey_page_is_public_and_in_the_customers_language(client, survey):
    url = reverse("assessments:survey", args=[survey.token])
    with time_machine.travel(survey.created_at, tick=False):
        response = client.get(url)
        english = client.get(url, {"lang": "en"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-hans"' in body
    assert "总体而言，您对我们的服务满意吗" in body  # noqa: RUF001
    assert "how satisfied" in english.content.decode()


ALL_FIVE = {"response_speed": "5", "technician_attitude": "5", "repair_quality": "5", "rating": "5"}


def test_survey_page_answers_once(client, survey):
    url = reverse("assessments:survey", args=[survey.token])
    with time_machine.travel(survey.created_at, tick=False):
        first = client.post(url, {**ALL_FIVE, "comment": "很好"})
        second = client.post(url, {**ALL_FIVE, "rating": "1"})
    assert first.status_code == 200
    assert second.status_code == 409
    survey.refresh_from_db()
    assert survey.rating == 5


def test_survey_page_refuses_expired_and_guessed_tokens(client, survey):
    with time_machine.travel(survey.expires_at, tick=False):
        expired = client.post(reverse("assessments:survey", args=[survey.token]), ALL_FIVE)
    assert expired.status_code == 410
    guessed = client.get(reverse("assessments:survey", args=["x" * 43]))
    assert guessed.status_code == 404
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_incident_page_shows_the_survey_link_for_the_dispatcher(dispatcher_client, survey):
    with time_machine.travel(survey.created_at, tick=False):
        response = dispatcher_client.get(reverse("incidents:detail", args=[survey.incident_id]))
    assert survey.token in response.content.decode()


def test_assessment_form_submits_and_close_then_works(manager_client, resolved_incident):
    incident = resolved_incident("II")
    url = reverse("assessments:assessment", args=[incident.pk])
    bad = manager_client.post(url, {"cause": "", "summary": "", "submit": "1"})
    assert bad.status_code == 422
    ok = manager_client.post(url, {"cause": "Fuse", "summary": "Replaced fuse", "submit": "1"})
    assert ok.status_code == 302
    assert Assessment.objects.get(incident=incident).is_submitted
    manager_client.post(reverse("incidents:action", args=[incident.pk, "close"]), {})
    incident.refresh_from_db()
    assert incident.status == "closed"


def test_overdue_actions_stand_out_on_the_list(manager_client, resolved_incident, manager):
    assessment = services.save_assessment(
        resolved_incident("I"), actor=manager, cause="c", summary="s", submit=True
    )
    services.add_corrective_action(
        actor=manager,
        assessment=assessment,
        owner=manager,
        description="Late one",
        due_date=utc(2026, 1, 1).date(),
    )
    response = manager_client.get(reverse("assessments:actions"))
    body = response.content.decode()
    assert 'class="overdue"' in body
    assert "Late one" in body


def _pdf_fonts_and_text(content: bytes, tmp_path) -> tuple[str, str]:
    """pdffonts' table and pdftotext's text of a PDF (poppler-utils)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True)
    text = subprocess.run(
        ["pdftotext", "-raw", path, "-"], capture_output=True, text=True, check=True
    )
    return fonts.stdout, text.stdout


def _embedded_subsets(fonts: str) -> list[str]:
    """Rows of pdffonts whose font is embedded (emb = yes) as a subset (ABCDEF+Name)."""
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    return [r[0] for r in rows if re.match(r"^[A-Z]{6}\+", r[0]) and "yes" in r[-5:-3]]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_service_report_and_assessment_pdfs_embed_a_cjk_font_subset(
    manager_client, resolved_incident, tmp_path, lang
):
    incident = resolved_incident(
        "I", customer_name="张伟", title="电池无法充电 🔋", description="Fuse blown · 保险丝熔断"
    )
    manager_client.cookies["django_language"] = lang
    for name in ("service_report", "assessment_print"):
        page = manager_client.get(reverse(f"assessments:{name}", args=[incident.pk]))
        assert page.status_code == 200
        assert incident.number in page.content.decode()
    for name in ("service_report_pdf", "assessment_pdf"):
        pdf = manager_client.get(reverse(f"assessments:{name}", args=[incident.pk]))
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        assert b"STSong-Light" not in pdf.content  # the reader's font, not embedded
        fonts, text = _pdf_fonts_and_text(pdf.content, tmp_path)
        subsets = _embedded_subsets(fonts)
        assert any("CJK" in f for f in subsets), fonts
        assert "no" not in {line.split()[-5] for line in fonts.splitlines()[2:] if line}, fonts
        assert "电池无法充电" in text and "张伟" in text
        assert f"{incident.number} · " in text
        heading = "售后服务报告" if lang == "zh-hans" else "After-sales service report"
        if name == "service_report_pdf":
            assert heading in text


def test_drill_pages(manager_client):
    response = manager_client.post(
        reverse("assessments:drill_create"),
        {
            "title": "Drill",
            "scenario": "Bus fire",
            "grade": "I",
            "scheduled_at": "2026-12-01T09:00",
        },
    )
    assert response.status_code == 302
    detail = manager_client.get(response["Location"])
    assert detail.status_code == 200
    assert "Bus fire" in detail.content.decode()


def test_survey_page_keeps_the_origin_of_its_own_post(client, survey):
    """ "no-referrer" made Chromium post with "Origin: null", which the CSRF check refuses;
    "same-origin" keeps the token out of other sites' Referer and the form working."""
    with time_machine.travel(survey.created_at, tick=False):
        response = client.get(reverse("assessments:survey", args=[survey.token]))
    body = response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert 'content="no-referrer"' not in body
    assert '<meta name="referrer" content="same-origin">' in body


def test_unknown_and_used_survey_links_answer_in_the_readers_language(client, survey):
    guessed = client.get(
        reverse("assessments:survey", args=["x" * 43]), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"
    )
    assert guessed.status_code == 404
    assert "链接无效" in guessed.content.decode()
    with time_machine.travel(survey.created_at, tick=False):
        services.answer_survey(survey.token, rating=5)
        used = client.post(reverse("assessments:survey", args=[survey.token]), ALL_FIVE)
    assert used.status_code == 409
    assert "您已经作答" in used.content.decode()


def test_signing_page_shows_the_work_summary_and_offers_pads_after_resolution(
    org, technician, technician_client, tmp_path
):
    from tests.assessments.test_services import _on_site, _png

    incident = _on_site(org, technician)
    url = reverse("assessments:sign", args=[incident.pk])
    before = technician_client.get(url).content.decode()
    assert 'id="not-yet"' in before and "sigpad" not in before
    incident_services.resolve_incident(
        incident, actor=technician, resolution="Worn contactor; replaced it. 更换接触器。"
    )
    page = technician_client.get(url).content.decode()
    summary = page[page.index('id="work-summary"') : page.index('id="technician-signature"')]
    assert "Worn contactor; replaced it. 更换接触器。" in summary
    assert page.count('class="sigpad"') == 2  # the technician's pad and the customer's
    signed = technician_client.post(
        reverse("assessments:technician_signoff", args=[incident.pk]), {"signature": _png()}
    )
    assert signed.status_code == 302
    technician_client.post(
        reverse("assessments:signoff", args=[incident.pk]),
        {"signer_name": "张伟", "signature": _png(), "next": url},
    )
    report = technician_client.get(reverse("assessments:service_report", args=[incident.pk]))
    assert report.content.decode().count('<figure class="signature">') == 2
    pdf = technician_client.get(reverse("assessments:service_report_pdf", args=[incident.pk]))
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf.content)
    images = subprocess.run(["pdfimages", "-list", path], capture_output=True, text=True)
    assert len(images.stdout.splitlines()[2:]) >= 2, images.stdout  # both signatures printed


def test_service_report_shows_directives_and_system_texts_in_the_readers_language(
    manager_client, resolved_incident
):
    incident = resolved_incident("I")  # Level I: HQ and every group get a directive
    assert incident.directives.exists()
    manager_client.cookies["django_language"] = "zh-hans"
    page = manager_client.get(reverse("assessments:service_report", args=[incident.pk]))
    body = page.content.decode()
    assert "Take command of" not in body and "Diagnose and repair" not in body
    assert incident.number in body


GET_PAGES = ("assessment", "assessment_print", "assessment_pdf", "service_report", "sign")
POST_PAGES = ("add_action", "signoff", "technician_signoff", "survey_sent")


def test_incident_pages_answer_404_for_an_incident_the_user_may_not_see(
    resolved_incident, other_technician, login
):
    incident = resolved_incident("II")  # the east service centre's job
    client = login(other_technician)  # a technician of another centre
    for name in GET_PAGES:
        response = client.get(reverse(f"assessments:{name}", args=[incident.pk]))
        assert response.status_code == 404, name
    for name in POST_PAGES:
        response = client.post(reverse(f"assessments:{name}", args=[incident.pk]), {})
        assert response.status_code == 404, name


def test_the_permission_behind_each_assessments_nav_target(dispatcher_client, login):
    """base.html links "Assessments" to the evaluation for assessments.view_evaluation
    (manager) and to the corrective actions for assessments.view_correctiveaction
    (dispatcher); legal has neither, so no link."""
    from tests.factories import UserFactory

    legal = login(UserFactory(username="counsel", roles=["legal"]))
    evaluation, actions = reverse("assessments:evaluation"), reverse("assessments:actions")
    assert dispatcher_client.get(evaluation).status_code == 403
    assert dispatcher_client.get(actions).status_code == 200
    assert legal.get(evaluation).status_code == 403
    assert legal.get(actions).status_code == 403


def test_a_refused_sign_off_keeps_the_customers_name_on_the_signing_page(
    org, technician, technician_client
):
    from tests.assessments.test_services import _on_site

    incident = _on_site(org, technician)
    incident_services.resolve_incident(incident, actor=technician, resolution="New fuse")
    url = reverse("assessments:sign", args=[incident.pk])
    response = technician_client.post(
        reverse("assessments:signoff", args=[incident.pk]),
        {"signer_name": "王先生 Mr Wang", "signature": "", "next": url},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="王先生 Mr Wang"' in page
    assert 'role="alert"' in page and "signature" in page.lower()
