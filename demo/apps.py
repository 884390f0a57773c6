from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The fictional organisation of ``make run`` (``manage.py load_demo``). It sits on top
    of every other app and nothing imports it: production can leave it out of
    INSTALLED_APPS."""

    name = "demo"
