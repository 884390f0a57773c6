"""The customer's sign-off, captured on the technician's phone (perhaps offline) and
synced through field's endpoint (``settings.FIELD_SYNC_HANDLERS``): ``record_signoff``
with the phone's time."""

from __future__ import annotations

from assessments import services


def sign_off(incident, *, actor, now, data: dict, file=None) -> dict:
    signoff = services.record_signoff(
        incident,
        actor=actor,
        signer_name=str(data.get("signer_name") or ""),
        signature=str(data.get("signature") or ""),
        no_signature_reason=str(data.get("no_signature_reason") or ""),
        now=now,
    )
    return {"signoff": signoff.pk}
