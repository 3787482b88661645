"""Reads of import jobs: each user sees only their own."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from frontline.core.models import User
from frontline.excel.models import ImportJob


def import_job_list(*, user: User) -> QuerySet[ImportJob]:
    """Return the user's own import jobs, newest first."""
    return ImportJob.objects.filter(created_by_id=user.pk).order_by("-created_at", "-id")


def get_import_job_for_user(*, user: User, pk: int) -> ImportJob:
    """Return the user's own import job, or raise 404 (also for another user's job)."""
    return get_object_or_404(import_job_list(user=user), pk=pk)
