import random

import pytest
from pypinyin.constants import PHRASES_DICT

from frontline.cadres.services import name_pinyin
from frontline.excel.pinyin import fast_name_pinyin

COMMON = "王李张刘陈杨黄赵吴周徐孙马朱胡郭曾单覃解仇文强明华国建伟芳秀英军杰丽敏静燕艳勇涛超霞平刚桂兰红玉梅"


@pytest.mark.parametrize(
    "name", ["张文强", "曾国藩", "单田芳", "解放", "吕绿", "王小明", "艾买提·吐尔逊", "Tom张", "", "𠀀"]
)
def test_known_names_read_as_name_pinyin_reads_them(name):
    assert fast_name_pinyin(name) == name_pinyin(name)


def test_thousands_of_random_names_read_as_name_pinyin_reads_them():
    rng = random.Random(2026)
    phrases = [p for p in PHRASES_DICT if 2 <= len(p) <= 3]
    rare = [chr(c) for c in range(0x4E00, 0x9FA6)]
    for i in range(3000):
        if i % 3 == 0:
            name = rng.choice(COMMON) + rng.choice(phrases)
        elif i % 3 == 1:
            name = "".join(rng.choice(COMMON) for _ in range(rng.choice((2, 3))))
        else:
            name = "".join(rng.choice(rare) for _ in range(rng.choice((2, 3, 4))))
        assert fast_name_pinyin(name) == name_pinyin(name), name
