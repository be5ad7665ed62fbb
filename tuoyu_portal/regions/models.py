"""GB/T 2260 regions, per-region rule values, population and targets, and the workday calendar."""

from __future__ import annotations

from typing import Self

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionQuerySet(models.QuerySet["Region"]):
    def within(self, code: str) -> Self:
        """The region `code` and every region below it (GB/T 2260 codes nest by prefix)."""
        return self.filter(code__startswith=code_prefix(code))

    def counties(self) -> Self:
        return self.filter(level=Region.Level.COUNTY)


def code_prefix(code: str) -> str:
    """The prefix shared by a region and its descendants: 370000 → 37, 371100 → 3711."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def ancestor_codes(code: str) -> list[str]:
    """Codes from the region itself up to its province: 371103 → [371103, 371100, 370000]."""
    codes = [code]
    if not code.endswith("00"):
        codes.append(code[:4] + "00")
    if not code.endswith("0000"):
        codes.append(code[:2] + "0000")
    return list(dict.fromkeys(codes))


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    # Cities with no districts (东莞, 中山, 儋州…) act as counties for registration and filing.
    county_level = models.BooleanField(_("县级职能"), default=False)
    full_name = models.CharField(_("全称"), max_length=128, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.full_name or self.name}"

    @property
    def is_county_level(self) -> bool:
        return self.level == self.Level.COUNTY or self.county_level

    def contains(self, code: str) -> bool:
        return code.startswith(code_prefix(self.code))


class RegionYear(models.Model):
    """Resident population and the places-per-1000 target of a region for one year (domain §7)."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="years", verbose_name=_("区划")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    target_places_per_1000 = models.DecimalField(
        _("每千人口托位数目标"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("来源说明"), max_length=200, blank=True)
    # Where the population figures come from (fixtures/population/), and whether they are an
    # estimate: the dashboard marks estimated figures and shows the source beside them.
    population_source = models.CharField(_("人口数据来源"), max_length=300, blank=True)
    population_estimated = models.BooleanField(_("常住人口为估算值"), default=False)
    under3_population = models.PositiveIntegerField(_("0—3岁婴幼儿人口"), null=True, blank=True)
    under3_estimated = models.BooleanField(_("0—3岁人口为估算值"), default=False)
    estimate_method = models.CharField(_("估算方法"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("区划年度数据")
        verbose_name_plural = _("区划年度数据")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="region_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"


class RegionRule(models.Model):
    """A region's value for a named rule, from a date (domain.md: every number is a setting).

    A county inherits from its city, the city from its province, the province from the national
    default in `rules.RULES`. The most specific region wins; within it the latest effective date.
    """

    key = models.CharField(_("规则"), max_length=64)
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="rules", verbose_name=_("区划")
    )
    value = models.JSONField(_("取值"))
    effective_from = models.DateField(_("生效日期"))
    # The last day in force (inclusive); empty: until replaced.
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    quote = models.TextField(_("原文摘录"), blank=True)
    # The fixture file a row was loaded from (load_rules owns those rows); empty: typed in admin.
    loaded_from = models.CharField(_("来源文件"), max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("地方规则")
        verbose_name_plural = _("地方规则")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "region", "effective_from"], name="region_rule_unique"
            ),
        ]
        # Serves rules.value_for(): key + region IN (ancestors) ordered by date.
        indexes = [
            models.Index(fields=["key", "region", "-effective_from"], name="region_rule_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.region_id}={self.value}"


class HolidaySchedule(models.Model):
    """A year's 国务院办公厅 holiday schedule (放假调休安排), loaded from fixtures/calendar/ or typed
    in the admin. Its days are national `WorkdayOverride` rows pointing here, so every clock reads
    them with the override query it already makes; a year with a schedule is no longer provisional.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    notice = models.CharField(_("通知文号"), max_length=64)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.notice}"


class WorkdayOverride(models.Model):
    """An admin correction of the working-day calendar, nationally (no region) or for one region;
    national rows with a `schedule` are that year's published holidays and 调休 workdays."""

    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("是否工作日"))
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workday_overrides",
        verbose_name=_("区划"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    schedule = models.ForeignKey(
        HolidaySchedule,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="days",
        verbose_name=_("所属年度安排"),
    )

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        constraints = [
            models.UniqueConstraint(fields=["date", "region"], name="workday_override_unique"),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(region__isnull=True),
                name="workday_override_national_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"
