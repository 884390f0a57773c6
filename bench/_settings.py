"""Bench-only settings: the app's settings plus the floor view's URL (never in production)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench._urls"
