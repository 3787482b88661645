"""Import jobs: an uploaded sheet, its validation report and its progress."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CADRES = "cadres", _("干部")
    POSTS = "posts", _("一线阵地")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("处理中")
    FAILED = "failed", _("有错误，未导入")
    DONE = "done", _("已导入")


class ImportJob(models.Model):
    """One upload. Nothing is written unless every row is valid (all-or-nothing)."""

    kind = models.CharField(_("类型"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_rows = models.PositiveIntegerField(_("新增"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The uploader's address, for the audit row of an import that runs later in the background.
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Set by every transition and progress report: a running job that stops reporting for
    # FRONTLINE_IMPORT_STALL_SECONDS lost its worker (see services.import_job_fail_if_stalled).
    progressed_at = models.DateTimeField(_("最后进展"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("excel:import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def stall_minutes(self) -> int:
        return max(1, settings.FRONTLINE_IMPORT_STALL_SECONDS // 60)

    def _silent_since(self, moment: datetime) -> bool:
        return moment < timezone.now() - timedelta(seconds=settings.FRONTLINE_IMPORT_STALL_SECONDS)

    @property
    def is_waiting_long(self) -> bool:
        """Whether the job has been queued for longer than a worker would take to start it."""
        return self.status == ImportStatus.PENDING and self._silent_since(self.created_at)

    @property
    def is_stalled(self) -> bool:
        """Whether the job is running but has reported no progress for FRONTLINE_IMPORT_STALL_SECONDS."""
        return self.status == ImportStatus.RUNNING and self._silent_since(self.progressed_at or self.created_at)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (ImportStatus.DONE, ImportStatus.FAILED) else 0
        return min(100, self.processed_rows * 100 // self.total_rows)
