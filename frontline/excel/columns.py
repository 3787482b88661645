"""The columns of the cadre and post sheets: one definition for templates, imports and exports.

Headers and allowed values are the sheet's format, so they stay in Chinese whatever the UI
language is; choice columns accept the Chinese label (or the stored code).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils import translation

from frontline.cadres.models import Gender, PoliticalStatus, Rank
from frontline.posts.models import EnterpriseSize, PostKind, ProjectStage

SHEET_LANGUAGE = "zh-hans"
YES, NO = "是", "否"
# Separators between expertise tags in one cell: 规划、建设；经济
TAG_SEPARATORS = "、,，;；/\n"


class CellType(StrEnum):
    TEXT = "text"
    CODE = "code"  # digits and letters only, kept as text (IDs, phones, division codes, USCC)
    CHOICE = "choice"
    BOOL = "bool"
    DATE = "date"
    NUMBER = "number"
    DECIMAL = "decimal"
    INTEGER = "integer"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, how a cell is read, and what the 说明 sheet says about it."""

    header: str
    field: str
    cell_type: CellType = CellType.TEXT
    required: bool = False
    max_length: int | None = None
    choices: type[models.Choices] | None = None
    # "id" or "phone": shown masked in error reports and in exports without sensitive rights.
    sensitive: str = ""
    # A cell read as a number has lost digits (IDs have 18, a float keeps 15): refuse it.
    refuse_numbers: bool = False
    help: str = ""
    example: str = ""
    width: int = 14

    @property
    def text_format(self) -> bool:
        """Return whether the column is formatted as text ("@") so Excel keeps every digit."""
        return self.cell_type == CellType.CODE

    @property
    def free_text(self) -> bool:
        """Return whether any text is accepted, so a leading = + - @ could be taken for a formula."""
        return self.cell_type == CellType.TEXT

    def labels(self) -> list[str]:
        """Return the allowed values as a person types them (Chinese labels)."""
        if self.cell_type == CellType.BOOL:
            return [YES, NO]
        if self.choices is None:
            return []
        with translation.override(SHEET_LANGUAGE):
            return [str(label) for label in self.choices.labels]

    def value_by_label(self) -> dict[str, str | int]:
        """Return {label or stored code: stored value} for a choice column."""
        assert self.choices is not None
        with translation.override(SHEET_LANGUAGE):
            found: dict[str, str | int] = {str(c.value): c.value for c in self.choices}  # type: ignore[attr-defined]
            found.update({str(c.label): c.value for c in self.choices})  # type: ignore[attr-defined]
        return found

    def label_of(self, value: object) -> str:
        """Return the Chinese label of a stored choice value ("" when blank)."""
        if value in (None, ""):
            return ""
        if self.cell_type == CellType.BOOL:
            return YES if value else NO
        assert self.choices is not None
        with translation.override(SHEET_LANGUAGE):
            return str(dict(self.choices.choices).get(value, value))


CADRE_COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", required=True, max_length=50, help="不超过 50 个字。", example="张文强", width=10),
    Column(
        "身份证号",
        "id_number",
        CellType.CODE,
        required=True,
        sensitive="id",
        refuse_numbers=True,
        help="18 位居民身份证号，必须以文本格式填写（本列已设为文本格式）；同一身份证号只能登记一次。",
        example="420222199005170016",
        width=21,
    ),
    Column(
        "性别",
        "gender",
        CellType.CHOICE,
        choices=Gender,
        help="可不填，按身份证号自动确定；填写时须与身份证号一致。",
        example="男",
        width=6,
    ),
    Column(
        "出生日期",
        "birth_date",
        CellType.DATE,
        help="可不填，按身份证号自动确定；填写时须与身份证号一致，格式如 1990-05-17。",
        example="1990-05-17",
        width=12,
    ),
    Column(
        "手机号",
        "phone",
        CellType.CODE,
        sensitive="phone",
        help="11 位手机号，以 13–19 开头；可不填。",
        example="13800000000",
        width=14,
    ),
    Column(
        "政治面貌",
        "political_status",
        CellType.CHOICE,
        choices=PoliticalStatus,
        help="不填时按“中共党员”。",
        example="中共党员",
        width=12,
    ),
    Column(
        "派出单位",
        "home_unit",
        required=True,
        help="您数据范围内的单位名称；有重名单位时填写完整路径，用“/”分隔，如 中共湖北省委/中共黄石市委/新港园区。"
        "可选单位见“单位”工作表。",
        example="新港园区",
        width=24,
    ),
    Column("职务", "position", max_length=100, help="不超过 100 个字，可不填。", example="副主任", width=14),
    Column("职级", "rank", CellType.CHOICE, choices=Rank, help="不填时按“科员”。", example="副科级", width=10),
    Column(
        "专长",
        "expertise",
        help="可填多个，用顿号、逗号或分号分隔，每个不超过 30 个字。",
        example="规划、建设",
        width=16,
    ),
    Column("可全脱产", "full_time_eligible", CellType.BOOL, help="填“是”或“否”，不填时按“是”。", example="是", width=9),
    Column(
        "居住地区划代码",
        "residence_region",
        CellType.CODE,
        help="居住地的统计用区划代码（12 位，或其前缀，如 420222103 表示韦源口镇），可不填。",
        example="420222103000",
        width=16,
    ),
    Column("居住地纬度", "home_latitude", CellType.NUMBER, help="-90 到 90 之间的小数，可不填。", example="30.05"),
    Column("居住地经度", "home_longitude", CellType.NUMBER, help="-180 到 180 之间的小数，可不填。", example="115.21"),
    Column("备注", "note", help="可不填。", example="", width=24),
)

POST_COLUMNS: tuple[Column, ...] = (
    Column("类型", "kind", CellType.CHOICE, required=True, choices=PostKind, help="必填。", example="企业", width=8),
    Column("名称", "name", required=True, max_length=200, help="不超过 200 个字。", example="弘盛铜业", width=24),
    Column(
        "所在区划代码",
        "region",
        CellType.CODE,
        required=True,
        help="统计用区划代码（12 位，或其前缀，如 420222103 表示韦源口镇），须为系统中现行的区划。",
        example="420222103000",
        width=16,
    ),
    Column(
        "管理单位",
        "unit",
        required=True,
        help="您数据范围内的单位名称；有重名单位时填写完整路径，用“/”分隔。可选单位见“单位”工作表。",
        example="新港园区",
        width=20,
    ),
    Column(
        "上级名称",
        "parent",
        help="子项目填所属项目，网格填所属村或社区，楼栋填所属网格；可以是本表中的另一行，"
        "也可以是系统中您数据范围内已有的阵地。其他类型不填。",
        example="",
        width=18,
    ),
    Column("地址", "address", max_length=300, help="不超过 300 个字，可不填。", example="阳新县韦源口镇", width=24),
    Column(
        "纬度", "latitude", CellType.NUMBER, help="-90 到 90 之间的小数；与经度同时填写或同时留空。", example="29.97"
    ),
    Column(
        "经度",
        "longitude",
        CellType.NUMBER,
        help="-180 到 180 之间的小数；与纬度同时填写或同时留空。",
        example="115.28",
    ),
    Column("重点", "is_key", CellType.BOOL, help="填“是”或“否”，不填时按“否”。", example="是", width=6),
    Column(
        "统一社会信用代码",
        "uscc",
        CellType.CODE,
        refuse_numbers=True,
        help="18 位，企业必填，其他类型不填；须以文本格式填写；同一代码只能登记一次。",
        example="91420222MA4F00001J",
        width=21,
    ),
    Column("行业", "industry", max_length=100, help="仅企业填写，不超过 100 个字。", example="有色金属冶炼"),
    Column(
        "规模", "size", CellType.CHOICE, choices=EnterpriseSize, help="仅企业填写，可不填。", example="大型", width=8
    ),
    Column(
        "总投资（万元）",
        "investment",
        CellType.DECIMAL,
        help="仅项目填写，单位万元，最多两位小数。",
        example="",
        width=14,
    ),
    Column("阶段", "stage", CellType.CHOICE, choices=ProjectStage, help="仅项目填写。", example="", width=8),
    Column("计划开工", "planned_start", CellType.DATE, help="仅项目填写，格式如 2026-03-01。", example="", width=12),
    Column(
        "实际开工",
        "actual_start",
        CellType.DATE,
        help="仅项目填写，格式如 2026-04-15，不能晚于今天；尚未开工请填计划开工。",
        example="",
        width=12,
    ),
    Column("户数", "households", CellType.INTEGER, help="网格、楼栋或村、社区的户数，非负整数。", example="", width=8),
    Column("说明", "description", help="可不填。", example="", width=24),
)

COLUMNS_BY_KIND: dict[str, tuple[Column, ...]] = {"cadres": CADRE_COLUMNS, "posts": POST_COLUMNS}
SHEET_TITLES = {"cadres": "干部", "posts": "一线阵地"}


def normalize_header(value: object) -> str:
    """Return a header cell as compared with the column headers (spaces and bracket widths ignored)."""
    text = str(value if value is not None else "")
    text = "".join(text.split()).replace("(", "（").replace(")", "）")
    return text.rstrip("*＊")
