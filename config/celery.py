import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The sweep has a queue, and a worker, of its own (Procfile: `-Q escalation`), so nothing
# else (a burst of delivery kicks, a slow report) can stand in front of it. Everything else
# goes to the default queue, which the delivery worker consumes.
ESCALATION_QUEUE = "escalation"
app.conf.task_routes = {"escalation.tasks.*": {"queue": ESCALATION_QUEUE}}


@worker_ready.connect
def _say_where_links_point(**kwargs):
    """Links in messages are built from SITE_URL; a wrong one sends people to a dead port."""
    from django.conf import settings

    logging.getLogger("aftersales.worker").warning(
        "links in messages point at %s", settings.SITE_URL
    )
