from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The home page: each role's work, gathered from the apps below it."""

    name = "home"
