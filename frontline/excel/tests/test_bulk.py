from datetime import date

import pytest
from django.db import IntegrityError, transaction

from frontline.excel.bulk import insert_many
from frontline.org.models import Region


def test_rows_are_stored_with_defaults_and_automatic_times(db):
    count = insert_many(
        Region,
        ("code", "name", "level"),
        [("420000000000", "湖北省", 1), ("320000000000", "江苏省", 1)],
        batch_size=1,
    )
    assert count == 2
    hubei = Region.objects.get(code="420000000000")
    assert (hubei.name, hubei.level, hubei.is_active, hubei.is_functional_zone) == ("湖北省", 1, True, False)
    assert hubei.updated_at.date() >= date(2026, 1, 1)


def test_a_duplicate_key_is_djangos_integrity_error(db):
    insert_many(Region, ("code", "name", "level"), [("420000000000", "湖北省", 1)])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many(Region, ("code", "name", "level"), [("420000000000", "又一个", 1)])


def test_unknown_columns_are_refused(db):
    with pytest.raises(ValueError, match="nonexistent"):
        insert_many(Region, ("code", "nonexistent"), [])
