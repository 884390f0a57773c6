from __future__ import annotations

from datetime import date

from django.db import models


class CorrectiveActionQuerySet(models.QuerySet):
    def open(self) -> CorrectiveActionQuerySet:
        return self.filter(status__in=["open", "in_progress"])

    def overdue(self, today: date) -> CorrectiveActionQuerySet:
        """Open actions whose due date has passed (reads the partial index)."""
        return self.open().filter(due_date__lt=today)
