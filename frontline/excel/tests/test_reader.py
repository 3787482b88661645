import io
import zipfile

import pytest

from frontline.core.errors import ApplicationError
from frontline.excel.cells import split_tags
from frontline.excel.reader import column_index, column_letters, read_first_sheet, sniff_format
from frontline.excel.tests.sheets import Formula, xlsx


def test_an_xlsx_and_an_xls_are_recognised_by_their_first_bytes():
    assert sniff_format(xlsx([["a"]])) == "xlsx"
    assert sniff_format(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100) == "xls"


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ApplicationError) as exc:
        sniff_format(buffer.getvalue())
    assert "不是 Excel 工作簿" in exc.value.message


def test_a_truncated_xlsx_is_refused_as_damaged():
    with pytest.raises(ApplicationError) as exc:
        read_first_sheet(xlsx([["a"]])[:200])
    assert exc.value.code == "bad_file"


def test_formula_cells_are_found_with_their_row_and_column():
    content = xlsx([["a", "b"], ["x", Formula("=1+1", "2")], [Formula("=A1")]])
    sheet = read_first_sheet(content)
    assert sheet.formula_cells == {(1, 1), (2, 0)}
    assert sheet.rows[1][1] == "2"  # calamine gives the cached value, hence the XML scan


def test_a_sheet_without_formulas_has_none():
    assert read_first_sheet(xlsx([["=not a formula, a text"]])).formula_cells == set()


@pytest.mark.parametrize(("letters", "index"), [("A", 0), ("Z", 25), ("AA", 26), ("AZ", 51), ("XFD", 16383)])
def test_column_letters_and_indexes_match_excel(letters, index):
    assert column_index(letters) == index
    assert column_letters(index) == letters


def test_expertise_splits_on_chinese_and_latin_separators():
    assert split_tags("规划、建设，经济;信访 ／法律") == ["规划", "建设", "经济", "信访 ／法律"]
    assert split_tags("规划/建设\n经济") == ["规划", "建设", "经济"]
    assert split_tags(None) == []


def test_rows_are_counted_from_the_declared_range_or_by_parsing():
    from pathlib import Path

    from frontline.excel.reader import count_rows

    assert count_rows(xlsx([["姓名"], ["甲"], ["乙"], ["丙"]])) == 3
    assert count_rows((Path(__file__).parent / "files" / "cadres.xls").read_bytes()) == 3
    assert count_rows(b"not a workbook") == 0


def test_a_stale_declared_range_is_not_believed():
    from frontline.excel.reader import count_rows

    content = xlsx([["a", "b", "c", "d"], *[[f"x{i}", i, i * 2, "y"] for i in range(3000)]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:D3001"/>' in data
                data = data.replace(b'<dimension ref="A1:D3001"/>', b'<dimension ref="A1"/>')
                assert len(data) > 256 * 1024
            target.writestr(item, data)
    assert count_rows(buffer.getvalue()) == 3000
