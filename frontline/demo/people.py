"""Generated people and codes for the demo: names, resident ID numbers, mobiles, credit codes.

Pure functions of a seeded `random.Random`, no Django, so the demo is the same on every run.
Nobody in the demo is a real person: names come from common surname and given-name
characters, and the names that appear in the seed articles are never produced.
"""

import random
from datetime import date, timedelta

from frontline.core.idcodes import resident_id_check_char, uscc_check_char


def words(text: str) -> tuple[str, ...]:
    """Return the space-separated words of `text` (long lists of short names read better so)."""
    return tuple(text.split())


# Frequent surnames, most common first; the first ones are drawn more often.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
    "严覃武戴莫孔向汤"
)
# Given names: common two-character names, and single characters for the shorter names.
MALE_GIVEN_PAIRS = words(
    "志强 建华 国强 海涛 俊杰 浩然 子豪 宇航 文博 晨阳 明轩 振华 卫东 建军 永刚 立新 晓东 鹏飞 晓峰 俊峰 家豪 一鸣 "
    "思远 天宇 博文 浩宇 嘉诚 子轩 志刚 国庆 建平 红军 新民 光明 东升 春生 德明 兴旺 学军 忠诚 雪松 海波 "
    "长青 振宇 瑞峰 晓光 金龙 天翔 承志 泽宇 俊熙 昊天 明杰 少华 勇军 庆华 宏伟 成林 家乐 子健"
)
FEMALE_GIVEN_PAIRS = words(
    "秀英 丽娟 晓燕 婷婷 雅琪 欣怡 思雨 佳琪 梦瑶 雨萱 诗涵 晓丽 海燕 静怡 慧敏 丽华 红梅 玉兰 春燕 晓红 文静 "
    "佳慧 若曦 一诺 紫涵 玉梅 桂芳 秀兰 淑华 美玲 晓琳 雪梅 凤英 丽萍 艳华 巧玲 梦洁 思琪 雨欣 嘉怡 "
    "晓雯 珊珊 露露 晶晶 倩文 婉清 子涵 语嫣 安琪 心怡 晓萌 悦然 彩霞 春梅 丽君 小燕"
)
MALE_GIVEN = "伟强军磊勇涛斌浩鹏飞宇俊帆峰超明刚平辉博新海波亮阳华忠东振兴旭昊凯翔毅"
FEMALE_GIVEN = "芳敏静丽艳娟霞玲燕红梅琳婷雪慧颖倩璐佳欣悦瑶怡琪晶萍莉蓉丹雯菲洁莹蕾薇"

# Everyone named in the five seed articles (reporters included): the demo must not reuse them.
ARTICLE_NAMES = frozenset(
    words(
        "陈灿 肖潇 周宝卿 刘跃满 明椿林 鲁冰儿 李成 崔艳梅 林宇飞 付乐乐 钟翊玮 伏广琛 李杰 林元沁 徐淑勇 臧伟 王明铁 "
        "吕娜 王伟 王文章 罗智刚 朱国良 阳利平 李进庄 鲁俊涛 张仲华 姚晶 武超 史沛钊 于旭东 王志刚 李玉胜 杨彩明 李文思"
    )
)

_MOBILE_PREFIXES = words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 "
    "177 180 181 182 183 185 186 187 188 189 191 198 199"
)
_ORG_CODE_CHARS = "0123456789ABCDEFGH"  # valid in both an organization code and a USCC
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class PersonGenerator:
    """Draw names, ID numbers and mobiles that are plausible, valid and unique within one run."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self._id_numbers: set[str] = set()
        self._mobiles: set[str] = set()
        self._credit_codes: set[str] = set()

    def gender(self, *, male_share: float = 0.5) -> str:
        return "M" if self.rnd.random() < male_share else "F"

    def name(self, gender: str) -> str:
        """Return a two- or three-character name that no seed article mentions."""
        while True:
            # Skew towards the frequent surnames, as in the real population.
            surname = SURNAMES[min(int(self.rnd.expovariate(1 / 18)), len(SURNAMES) - 1)]
            male = gender == "M"
            if self.rnd.random() < 0.7:
                given = self.rnd.choice(MALE_GIVEN_PAIRS if male else FEMALE_GIVEN_PAIRS)
            else:
                given = self.rnd.choice(MALE_GIVEN if male else FEMALE_GIVEN)
            name = surname + given
            if name not in ARTICLE_NAMES:
                return name

    def birth_date(self, first_year: int, last_year: int) -> date:
        start = date(first_year, 1, 1)
        days = (date(last_year, 12, 31) - start).days
        return start + timedelta(days=self.rnd.randrange(days + 1))

    def resident_id(self, *, region6: str, birth: date, gender: str) -> str:
        """Return a valid GB 11643 number: region, birth date, sequence (odd for men), check."""
        while True:
            sequence = self.rnd.randrange(500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{region6}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = self.rnd.choice(_MOBILE_PREFIXES) + f"{self.rnd.randrange(10**8):08d}"
            if number not in self._mobiles:
                self._mobiles.add(number)
                return number

    def credit_code(self, *, region6: str) -> str:
        """Return a valid USCC for a company (registered by market regulation, "91") in `region6`."""
        while True:
            body = "MA" + "".join(self.rnd.choice(_ORG_CODE_CHARS) for _ in range(6))
            org_code = body + organization_code_check_char(body)
            first17 = f"91{region6}{org_code}"
            code = first17 + uscc_check_char(first17)
            if code not in self._credit_codes:
                self._credit_codes.add(code)
                return code


def organization_code_check_char(first8: str) -> str:
    """Return the GB 11714 check character of an organization code (the USCC's 9th–17th characters)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
