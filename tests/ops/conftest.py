import pytest

from core.logging import incident_var, request_id_var


@pytest.fixture(autouse=True)
def _clean_log_context():
    """Each test starts with no request id or incident in the log context (code that binds
    an incident, such as get_incident_for, leaves it for the rest of its request)."""
    tokens = request_id_var.set(""), incident_var.set("")
    yield
    request_id_var.reset(tokens[0])
    incident_var.reset(tokens[1])
