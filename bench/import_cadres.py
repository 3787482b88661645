"""Benchmark: import 100,000 cadres from one .xlsx, end to end (read, validate, encrypt, insert).

Not a test. It builds a fresh database (a temporary SQLite file, or a throwaway PostgreSQL
database next to the one DATABASE_URL names), creates the units, writes the workbook in a child
process (so that the peak memory measured is the import's), then runs the same service an
upload runs: `import_job_create` → `import_job_run` (with the background threshold raised so that
it runs in this process). As a baseline in the same run it creates a sample of cadres one by one
with `cadre_create`, the path a form takes, and extrapolates.

    .venv/bin/python bench/import_cadres.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontline_dev3 .venv/bin/python bench/import_cadres.py
    .venv/bin/python bench/import_cadres.py --backend sqlite --rows 20000

Prints `rows=100000 backend=sqlite seconds=… peak_mb=…` and a breakdown by phase.
"""

import argparse
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = 200
TOWNSHIPS = 50
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "文强明华国建伟芳秀英军杰丽敏静燕艳勇涛超霞平刚桂兰红玉梅飞鹏宇浩志新春海波辉丹宁亮成林峰磊洋晨欣雪琳"
    "婷雯慧佳瑞博凯翔俊斌鑫彬阳帆昊轩睿泽浩然子涵梓诗雨思怡可馨嘉欣一诺依晴若曦沐宸逸凡景行知远书航"
)
TAGS = ("规划", "建设", "经济", "法律", "信访", "安全生产", "环保", "招商", "财务", "农业", "教育", "医疗")
STATUSES = ("中共党员", "中共党员", "中共党员", "中共预备党员", "共青团员", "群众")
RANKS = ("办事员", "科员", "科员", "副科级", "正科级", "副处级")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def unit_name(i: int) -> str:
    return f"基准测试第{i:03d}单位"


def township_code(i: int) -> str:
    return f"420222{100 + i:03d}000"


def generate(path: Path, rows: int, seed: int) -> None:
    """Write `rows` valid cadres into an .xlsx (runs in a child process; no Django needed)."""
    import xlsxwriter

    from frontline.core.idcodes import resident_id_check_char

    rng = random.Random(seed)
    header = [
        "姓名",
        "身份证号",
        "手机号",
        "政治面貌",
        "派出单位",
        "职务",
        "职级",
        "专长",
        "可全脱产",
        "居住地区划代码",
    ]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("干部")
    text = book.add_format({"num_format": 49})
    for col, title in enumerate(header):
        sheet.write_string(0, col, title)
    seen: set[str] = set()
    counties = ("420222", "420281", "420202", "421303", "420102", "420106")
    row = 0
    while row < rows:
        birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 35 * 365))
        first17 = f"{rng.choice(counties)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        id_number = first17 + resident_id_check_char(first17)
        if id_number in seen:
            continue
        seen.add(id_number)
        row += 1
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        tags = "、".join(rng.sample(TAGS, rng.choice((0, 1, 1, 2, 3))))
        values = [
            name,
            id_number,
            f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            rng.choice(STATUSES),
            unit_name(rng.randrange(UNITS)),
            rng.choice(("", "科员", "副主任", "主任", "副科长")),
            rng.choice(RANKS),
            tags,
            rng.choice(("是", "是", "否")),
            township_code(rng.randrange(TOWNSHIPS)) if rng.random() < 0.5 else "",
        ]
        for col, value in enumerate(values):
            if value:
                sheet.write_string(row, col, value, text if col in (1, 2, 9) else None)
    book.close()


def prepare_environment(backend: str, workdir: Path) -> tuple[str, str | None]:
    """Point the settings at a fresh database; return (description, PostgreSQL database to drop)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "frontline.settings"
    os.environ["FRONTLINE_VAR_DIR"] = str(workdir)
    os.environ["FRONTLINE_IMPORT_BACKGROUND_ROWS"] = str(10**9)  # run in this process, as a small upload does
    os.environ["FRONTLINE_IMPORT_MAX_BYTES"] = str(200 * 1024 * 1024)
    os.environ["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
    if backend == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        return f"sqlite file {workdir / 'frontline.sqlite3'}", None
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    import psycopg

    base, _, _name = url.rpartition("/")
    bench_db = f"frontline_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{bench_db}"')
    os.environ["DATABASE_URL"] = f"{base}/{bench_db}"
    return f"postgresql database {bench_db} (dropped afterwards)", url


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_world() -> Any:
    """Create the regions, units and an importing official; return the official."""
    from frontline.core.models import DataScope, Role, User
    from frontline.org.models import Region
    from frontline.org.services import unit_create

    province = Region.objects.create(code="420000000000", name="湖北省", level=1)
    city = Region.objects.create(code="420200000000", name="黄石市", level=2, parent=province)
    county = Region.objects.create(code="420222000000", name="阳新县", level=3, parent=city)
    Region.objects.bulk_create(
        Region(code=township_code(i), name=f"乡镇{i}", level=4, parent=county) for i in range(TOWNSHIPS)
    )
    root = unit_create(actor=None, name="基准测试县委", region=county)
    for i in range(UNITS):
        unit_create(actor=None, name=unit_name(i), region=county, parent=root)
    role = Role.objects.create(
        code="bench", name="bench", scope=DataScope.SUBTREE, can_edit=True, can_import=True, can_export=True
    )
    user = User.objects.create_user(username="bench", password="unused-Bench-2026", unit=root)
    user.roles.set([role])
    return user


class Phases:
    """Wall time of the importer's phases, measured by wrapping its methods."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, name, timed)


def baseline(user: Any, sample: int, seed: int) -> float:
    """Return seconds per cadre when created one by one through cadre_create (the form's path)."""
    from django.db import transaction

    from frontline.cadres.models import Cadre
    from frontline.cadres.services import CadreData, cadre_create
    from frontline.core.idcodes import resident_id_check_char
    from frontline.org.models import Unit

    rng = random.Random(seed)
    unit = Unit.objects.get(name=unit_name(0))
    start = time.perf_counter()
    with transaction.atomic():
        for i in range(sample):
            first17 = f"110101{date(1970, 1, 1) + timedelta(days=i):%Y%m%d}{i % 1000:03d}"
            cadre_create(
                actor=user,
                data=CadreData(
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    id_number=first17 + resident_id_check_char(first17),
                    home_unit=unit,
                    phone="13800000000",
                    expertise=["规划"],
                ),
            )
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    assert not Cadre.objects.filter(id_number_masked__startswith="110101").exists()
    return elapsed / sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default=None)
    parser.add_argument("--baseline-sample", type=int, default=1000, help="cadres created one by one (0 to skip)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)  # child process: write the workbook
    args = parser.parse_args()
    if args.generate:
        generate(args.generate, args.rows, args.seed)
        return
    backend = args.backend or ("postgres" if os.environ.get("DATABASE_URL") else "sqlite")
    workdir = Path(tempfile.mkdtemp(prefix="frontline-bench-"))
    description, admin_url = prepare_environment(backend, workdir)
    bench_db = os.environ["DATABASE_URL"].rpartition("/")[2] if admin_url else ""
    try:
        run(args, backend, workdir, description)
    finally:
        from django.db import connections

        connections.close_all()
        if admin_url:
            drop_database(admin_url, bench_db)
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, backend: str, workdir: Path, description: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from frontline.cadres.models import Cadre
    from frontline.excel import importers
    from frontline.excel.models import ImportStatus
    from frontline.excel.services import import_job_create

    user = build_world()
    path = workdir / "cadres.xlsx"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--generate", str(path), "--rows", str(args.rows), "--seed", str(args.seed)],
        check=True,
    )
    generated = time.perf_counter() - start
    content = path.read_bytes()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_before = f"{os.getloadavg()[0]:.1f}"

    phases = Phases()
    phases.wrap(importers.Importer, "validate", "check every row (incl. database checks)")
    phases.wrap(importers.CadreImporter, "write", "encrypt + pinyin + bulk insert")
    import frontline.excel.services as services

    phases.wrap(services, "read_first_sheet", "read the sheet (calamine)")
    phases.wrap(services, "count_rows", "count rows (decides inline or background)")

    start, cpu_start = time.perf_counter(), cpu_seconds()
    job = import_job_create(actor=user, kind="cadres", file_name=path.name, content=content)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    assert job.status == ImportStatus.DONE, job.errors[:5]
    assert Cadre.objects.count() == args.rows
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {description}")
    print(f"workbook: {args.rows} rows, {len(content) / 1024 / 1024:.1f} MB, generated in {generated:.1f} s")
    for label, value in phases.seconds.items():
        print(f"  {label}: {value:.2f} s")
    print(
        f"  cpu time of this process during the import: {cpu:.1f} s (wall time suffers when other jobs share the cores)"
    )
    print(f"  load average before / after: {load_before} / {os.getloadavg()[0]:.1f}")
    print(f"  rss before the import: {rss_before:.0f} MB")
    if args.baseline_sample:
        per_row = baseline(user, args.baseline_sample, args.seed)
        print(
            f"baseline: cadre_create one by one, {args.baseline_sample} rows at {per_row * 1000:.2f} ms each "
            f"→ about {per_row * args.rows:.0f} s for {args.rows} rows"
        )
    print(f"rows={args.rows} backend={backend} seconds={seconds:.1f} cpu_seconds={cpu:.1f} peak_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
