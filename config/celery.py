import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _say_where_links_point(**kwargs):
    """Links in messages are built from SITE_URL; a wrong one sends people to a dead port."""
    from django.conf import settings

    logging.getLogger("aftersales.worker").warning(
        "links in messages point at %s", settings.SITE_URL
    )
