"""Benchmark of the ledger at province scale (a benchmark, not a test). PostgreSQL only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/ledger.py
    DATABASE_URL=... .venv/bin/python bench/ledger.py --problems 200000 --seconds 15

It creates a throwaway database next to the one DATABASE_URL names, migrates it, builds a
province (10 cities × 10 counties, 5 functional departments per county, 20,000 posts), fills it
with --problems problems and their timelines by COPY, then measures in one run:

- inbox: a department's inbox page (/ledger/inbox/), for 20 departments;
- board: the supervisor's board (/ledger/board/) for county officials and the province official;
- similar: similar-case search (BM25) over the resolved problems, with the index build time;
- intake: sustained POST /api/v1/problems from concurrent clients against gunicorn (2 workers),
  with 5% of the requests retried with the same Idempotency-Key; counts lost and duplicated.

Prints one `key=value` line per measure, e.g. `measure=inbox p50_ms=… p95_ms=… n=…`.
"""

import argparse
import http.client
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC as TZ_UTC
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIES = 10
COUNTIES_PER_CITY = 10
DEPARTMENTS = ("自然资源和规划局", "生态环境局", "人力资源和社会保障局", "发展和改革局", "住房和城乡建设局")
POSTS = 20_000

PHRASES = {
    "land-approval": ["用地预审", "土地报批", "建设用地指标", "征地补偿", "不动产权证", "规划许可"],
    "environmental-review": ["环评验收", "排污许可", "环保设施", "废水排放", "竣工环保验收", "环评批复"],
    "labour-hiring": ["招工难", "熟练工人", "用工缺口", "技能培训", "社保缴纳", "返岗"],
    "financing": ["融资难", "贷款审批", "担保", "资金周转", "贴息", "应收账款"],
    "policy-application": ["技改补贴", "政策申报", "高新技术企业认定", "奖补资金", "专精特新", "申报材料"],
    "raw-materials": ["原料供应", "小麦到货", "运输受阻", "库存不足", "供货商", "物流"],
    "infrastructure": ["供电扩容", "道路修建", "供水管网", "天然气接入", "网络覆盖", "排水管道"],
    "livelihood": ["老人买药", "代购药品", "就医不便", "低保申请", "物业收费", "加装电梯"],
}
FILLER = ["企业反映", "群众反映", "项目现场", "急需协调", "影响开工", "进度滞后", "多次沟通", "希望尽快解决"]
STATUS_MIX = [
    ("closed", 60),
    ("resolved", 10),
    ("in_progress", 14),
    ("handed_over", 6),
    ("registered", 5),
    ("sent_back", 3),
    ("supervised", 2),
]


def prepare_database() -> tuple[str, str]:
    """Create a throwaway database and point DATABASE_URL at it; return (admin url, name)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench/ledger.py needs DATABASE_URL=postgres://… (it measures PostgreSQL)")
    import psycopg

    base, _, _name = url.rpartition("/")
    name = f"frontline_bench_ledger_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    return url, name


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95


def build_province() -> dict[str, Any]:
    """Create regions, units, departments, posts and the personas; return them."""
    from frontline.core.models import DataScope, Role, User
    from frontline.org.models import Region, Unit, UnitKind
    from frontline.posts.models import Post, PostKind

    province = Region.objects.create(code="420000000000", name="湖北省", level=1)
    root = Unit.objects.create(name="中共湖北省委", region=province, kind=UnitKind.PARTY_COMMITTEE)
    root.path, root.depth = f"/{root.pk}/", 0
    root.save()
    counties: list[Unit] = []
    departments: list[Unit] = []
    for c in range(CITIES):
        city_r = Region.objects.create(code=f"42{c + 1:02d}00000000", name=f"市{c}", level=2, parent=province)
        city = Unit.objects.create(name=f"市委{c}", region=city_r, parent=root, path="", depth=1)
        city.path = f"{root.path}{city.pk}/"
        city.save()
        for k in range(COUNTIES_PER_CITY):
            county_r = Region.objects.create(
                code=f"42{c + 1:02d}{k + 1:02d}000000", name=f"县{c}-{k}", level=3, parent=city_r
            )
            county = Unit.objects.create(name=f"县委{c}-{k}", region=county_r, parent=city, depth=2)
            county.path = f"{city.path}{county.pk}/"
            county.save()
            counties.append(county)
            for name in DEPARTMENTS:
                dept = Unit.objects.create(
                    name=name, region=county_r, parent=county, kind=UnitKind.FUNCTIONAL_DEPARTMENT, depth=3
                )
                dept.path = f"{county.path}{dept.pk}/"
                dept.save()
                departments.append(dept)
    kinds = [PostKind.ENTERPRISE, PostKind.PROJECT, PostKind.COMMUNITY, PostKind.GRID, PostKind.VILLAGE]
    Post.objects.bulk_create(
        [
            Post(
                kind=kinds[i % len(kinds)],
                name=f"阵地{i}",
                region_id=counties[i % len(counties)].region_id,
                unit=counties[i % len(counties)],
            )
            for i in range(POSTS)
        ],
        batch_size=5000,
    )
    department_role = Role.objects.create(code="dept", name="dept", scope=DataScope.NODE)
    manager = Role.objects.create(code="manager", name="manager", scope=DataScope.SUBTREE, can_edit=True)
    clerks = []
    for i, dept in enumerate(random.Random(1).sample(departments, 20)):
        user = User.objects.create_user(username=f"clerk{i}", password="unused-Bench-2026", unit=dept)
        user.roles.set([department_role])
        clerks.append(user)
    officials = []
    for i, county in enumerate(random.Random(2).sample(counties, 10)):
        user = User.objects.create_user(username=f"county{i}", password="unused-Bench-2026", unit=county)
        user.roles.set([manager])
        officials.append(user)
    province_user = User.objects.create_user(username="province", password="unused-Bench-2026", unit=root)
    province_user.roles.set([manager])
    cadre = User.objects.create_user(username="cadre", password="unused-Bench-2026", unit=counties[0])
    cadre.roles.set([manager])
    return {
        "counties": counties,
        "departments": departments,
        "clerks": clerks,
        "officials": officials,
        "province": province_user,
        "cadre": cadre,
        "posts": list(Post.objects.values_list("pk", "region_id", "unit_id")),
    }


def load_province() -> dict[str, Any]:
    """Return the world `build_province` made, read back from a database kept with --keep."""
    from frontline.core.models import User
    from frontline.org.models import Unit, UnitKind
    from frontline.posts.models import Post

    return {
        "counties": list(Unit.objects.filter(depth=2).order_by("pk")),
        "departments": list(Unit.objects.filter(kind=UnitKind.FUNCTIONAL_DEPARTMENT).order_by("pk")),
        "clerks": list(User.objects.filter(username__startswith="clerk").order_by("pk")),
        "officials": list(User.objects.filter(username__startswith="county").order_by("pk")),
        "province": User.objects.get(username="province"),
        "cadre": User.objects.get(username="cadre"),
        "posts": list(Post.objects.values_list("pk", "region_id", "unit_id")),
    }


def fill(world: dict[str, Any], n: int, seed: int) -> float:
    """COPY `n` problems and their timelines into the database; return seconds."""
    from django.db import connection

    from frontline.ledger.models import ProblemCategory

    rng = random.Random(seed)
    categories = {c.code: c.pk for c in ProblemCategory.objects.filter(code__in=PHRASES)}
    codes = list(categories)
    statuses = [s for s, w in STATUS_MIX for _ in range(w)]
    departments_by_unit: dict[int, list[int]] = {}
    for dept in world["departments"]:
        departments_by_unit.setdefault(dept.parent_id, []).append(dept.pk)
    posts = world["posts"]
    today = date(2026, 11, 23)
    columns = (
        "tracking_code, source, requester_kind, requester_name, requester_phone_encrypted, requester_phone_masked, "
        "post_id, post_unit_id, region_id, category_id, title, description, solution_plan, resolution, status, "
        "department_id, "
        "level, clock_started_on, handover_due, feedback_due, resolve_due, deadline_unconfirmed, is_overdue, "
        "send_back_count, reopen_count, closed_without_confirmation, close_reason, version, created_at, updated_at, "
        "handed_over_at, acknowledged_at, resolved_at, closed_at"
    )
    start = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as cur, cur.copy(f"COPY ledger_problem ({columns}) FROM STDIN") as copy:
            for i in range(n):
                code = rng.choice(codes)
                words = rng.sample(PHRASES[code], 3) + rng.sample(FILLER, 2)
                status = rng.choice(statuses)
                post_id, region_id, unit_id = posts[rng.randrange(len(posts))]
                created_day = today - timedelta(days=rng.randrange(1, 700))
                created = datetime(created_day.year, created_day.month, created_day.day, 2, tzinfo=TZ_UTC)
                handed = status != "registered"
                department = (
                    rng.choice(departments_by_unit[unit_id]) if status not in ("registered", "sent_back") else None
                )
                resolve_due = created_day + timedelta(days=rng.choice((9, 10, 40)))
                open_ = status not in ("closed",)
                overdue = open_ and status != "resolved" and rng.random() < 0.1
                copy.write_row(
                    (
                        f"B{i:09d}",
                        "visit",
                        "enterprise",
                        "",
                        "",
                        "",
                        post_id,
                        unit_id,
                        region_id,
                        categories[code],
                        "".join(words[:2])[:100],
                        "，".join(words),
                        "一、" + words[0] + "；二、协调" + words[1] if rng.random() < 0.5 else "",
                        "已协调" + words[0] + "，问题解决" if status in ("resolved", "closed") else "",
                        status,
                        department,
                        3,
                        created_day,
                        created_day + timedelta(days=1),
                        created_day + timedelta(days=4) if handed else None,
                        resolve_due if handed else None,
                        False,
                        overdue,
                        1 if status == "sent_back" else 0,
                        1 if status == "supervised" else 0,
                        False,
                        "",
                        4 if handed else 1,
                        created,
                        created,
                        created if handed else None,
                        created if status not in ("registered", "handed_over", "sent_back") else None,
                        created if status in ("resolved", "closed") else None,
                        created if status == "closed" else None,
                    )
                )
        with raw.cursor() as cur:
            cur.execute(
                """
                INSERT INTO ledger_problemevent (problem_id, action, actor_name, from_status, to_status, note,
                                                 department_id, public, created_at)
                SELECT p.id, a.action, '基准', a.from_status, a.to_status, '', p.department_id, true, p.created_at
                FROM ledger_problem p
                JOIN (VALUES ('register', '', 'registered', 0), ('hand_over', 'registered', 'handed_over', 1),
                             ('accept', 'handed_over', 'in_progress', 2), ('resolve', 'in_progress', 'resolved', 3),
                             ('confirm', 'resolved', 'closed', 4)) AS a(action, from_status, to_status, step)
                  ON a.step <= CASE p.status WHEN 'registered' THEN 0 WHEN 'sent_back' THEN 1
                                              WHEN 'handed_over' THEN 1 WHEN 'in_progress' THEN 2
                                              WHEN 'supervised' THEN 3 WHEN 'resolved' THEN 3 ELSE 4 END
                """
            )
            cur.execute("ANALYZE")
    return time.perf_counter() - start


def time_pages(users: list[Any], path: str, rounds: int) -> list[float]:
    from django.test import Client

    samples = []
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        client.get(path)  # warm up the session and the plan cache
        clients.append(client)
    for _ in range(rounds):
        for client in clients:
            start = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
    return samples


def measure_similar(world: dict[str, Any], queries: int, seed: int, workdir: Path) -> None:
    """Build and store the index as the worker does, load it as a web process does, then query."""
    from django.conf import settings

    from frontline.ledger.similar import current_index, reset_index, similar_problems, store_index

    settings.FRONTLINE_SIMILAR_INDEX_DIR = workdir / "similar-index"
    reset_index()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    figures = store_index()
    build = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = sum(f.stat().st_size for f in (workdir / "similar-index").rglob("*") if f.is_file()) / 2**20
    start = time.perf_counter()
    index = current_index()  # memory-mapped from the stored build
    load = time.perf_counter() - start
    print(
        f"measure=similar_index docs={figures['docs']} build_s={build:.1f} rss_growth_mb={rss_after - rss_before:.0f} "
        f"stored_mb={size_mb:.0f} load_ms={load * 1000:.0f} loaded_docs={len(index)}"
    )
    rng = random.Random(seed)
    users = [world["province"], *world["officials"][:3]]
    samples = []
    for i in range(queries):
        code = rng.choice(list(PHRASES))
        text = "".join(rng.sample(PHRASES[code], 2)) + rng.choice(FILLER)
        start = time.perf_counter()
        similar_problems(user=users[i % len(users)], text=text, k=5)
        samples.append((time.perf_counter() - start) * 1000)
    p50, p95 = percentiles(samples)
    print(f"measure=similar p50_ms={p50:.1f} p95_ms={p95:.1f} n={len(samples)}")


def _warm_up(port: int, key: str) -> None:
    for _ in range(5):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/api/v1/problems?limit=1", headers={"Authorization": f"Bearer {key}"})
        conn.getresponse().read()


class IntakeClient:
    """One load-generating connection: HTTP/1.1 keep-alive over a raw socket.

    Requests are built from a template and only the status line and Content-Length of the answer
    are parsed, so that 8 of these cost the 2 cores about 0.1 ms per request, where 16
    `http.client` threads cost 1-1.5 ms (measured on this machine) — CPU the server then lacks.
    """

    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.head = (
            "POST /api/v1/problems HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        )
        self.sock: socket.socket | None = None
        self.buffer = b""

    def post(self, body: bytes, idempotency_key: str) -> tuple[int, bytes]:
        request = (
            self.head + f"Idempotency-Key: {idempotency_key}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        try:
            self.sock.sendall(request)
            status, headers, answer = self._read()
        except OSError:
            self.close()
            raise
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, answer

    def _read(self) -> tuple[int, dict[str, str], bytes]:
        assert self.sock is not None
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers["content-length"])  # Django's CommonMiddleware always sets it
        while len(self.buffer) < length:
            self._fill()
        answer, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, answer

    def _fill(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def _children(pid: int) -> list[int]:
    """Return the ids of the child processes of `pid` (Linux /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def _database_backends() -> list[int]:
    """Return the process ids of the PostgreSQL backends connected to this database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def _cpu_ms(pids: list[int]) -> float:
    """Return the CPU time (user + system) the processes have used, in ms (0 for unreadable ones)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def measure_intake(
    world: dict[str, Any], seconds: float, clients: int, workers: int | None, threads: int | None, workdir: Path
) -> None:
    """Run gunicorn as `frontline serve` does and post problems from concurrent keep-alive clients.

    5% of the requests are sent twice with the same Idempotency-Key (a retry after a timeout).
    Every acknowledged key must have exactly one problem: `lost` counts acknowledged keys without
    one, `duplicated` keys with more than one, `mismatched` retries answered with another problem.
    """
    from frontline.core.management.commands.serve import gunicorn_options
    from frontline.core.models import ApiToken
    from frontline.ledger.models import Problem, ProblemCategory

    _token, key = ApiToken.issue(world["cadre"])
    category = ProblemCategory.objects.get(code="livelihood").pk
    county_unit = world["counties"][0].pk
    post_ids = [pk for pk, _region, unit in world["posts"] if unit == county_unit][:50]
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "frontline.settings", "FRONTLINE_VAR_DIR": str(workdir)}
    options = gunicorn_options(workers=workers, threads=threads)
    workers = int(options[options.index("--workers") + 1])
    threads = int(options[options.index("--threads") + 1])
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "frontline.wsgi:application",
            *options,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--preload",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(300):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                probe.request("GET", "/login/")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        # Warm the workers up: the URLconf and the API are imported on a worker's first request.
        warm = [threading.Thread(target=_warm_up, args=(port, key)) for _ in range(2 * workers)]
        for t in warm:
            t.start()
        for t in warm:
            t.join()
        run = f"r{os.getpid()}x{int(time.time()) % 100000}"
        before = Problem.objects.count()
        answers: dict[str, list[int]] = {}  # idempotency key -> problem ids answered
        errors: list[str] = []
        latencies: list[float] = []
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def client(n: int) -> None:
            rng = random.Random(n)
            conn = IntakeClient(port, key)
            i = 0
            while time.monotonic() < deadline:
                i += 1
                idem = f"{run}-c{n}-{i}"
                body = json.dumps(
                    {"post_id": rng.choice(post_ids), "category_id": category, "description": f"老人买药难 {idem}"}
                ).encode()
                for _attempt in range(2 if rng.random() < 0.05 else 1):  # 5% retried with the same key
                    sent = time.perf_counter()
                    try:
                        status, answer = conn.post(body, idem)
                    except OSError as exc:
                        with lock:
                            errors.append(str(exc))
                        continue
                    with lock:
                        latencies.append((time.perf_counter() - sent) * 1000)
                        if status in (200, 201):
                            answers.setdefault(idem, []).append(json.loads(answer)["id"])
                        else:
                            errors.append(str(status))
            conn.close()

        server_pids = _children(server.pid)
        db_pids = _database_backends()
        server_cpu, db_cpu = _cpu_ms(server_pids), _cpu_ms(db_pids)
        cpu_start = time.process_time()
        start = time.perf_counter()
        threads_ = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for t in threads_:
            t.start()
        for t in threads_:
            t.join()
        elapsed = time.perf_counter() - start
        client_cpu_ms = (time.process_time() - cpu_start) * 1000
        server_cpu = _cpu_ms(server_pids) - server_cpu
        db_cpu = _cpu_ms(db_pids) - db_cpu
        created = Problem.objects.count() - before
        stored: dict[str, list[int]] = {}
        for pk, description in Problem.objects.filter(description__startswith=f"老人买药难 {run}-").values_list(
            "pk", "description"
        ):
            stored.setdefault(description.removeprefix("老人买药难 "), []).append(pk)
        lost = sum(1 for idem in answers if idem not in stored)
        duplicated = sum(1 for ids in stored.values() if len(ids) > 1)
        mismatched = sum(1 for idem, ids in answers.items() if set(ids) != set(stored.get(idem, [])))
        p50, p95 = percentiles(latencies or [0.0])
        print(
            f"measure=intake per_s={created / elapsed:.0f} p50_ms={p50:.1f} p95_ms={p95:.1f} created={created} "
            f"acknowledged={len(answers)} lost={lost} duplicated={duplicated} mismatched={mismatched} "
            f"errors={len(errors)} clients={clients} workers={workers} threads={threads} seconds={elapsed:.1f} "
            f"client_cpu_ms_per_request={client_cpu_ms / max(1, len(latencies)):.2f}"
        )
        # CPU time per problem of the gunicorn workers and of PostgreSQL (its backends for this
        # database): what the throughput would be on idle cores, whatever else the machine runs.
        requests = max(1, len(latencies))
        total = (server_cpu + db_cpu + client_cpu_ms) / requests
        print(
            f"measure=intake_cpu server_ms={server_cpu / requests:.2f} postgres_ms={db_cpu / requests:.2f} "
            f"client_ms={client_cpu_ms / requests:.2f} total_ms={total:.2f} "
            f"idle_cores_per_s={1000 * (os.cpu_count() or 1) / total:.0f}"
        )
        if errors:
            print(f"intake errors (first 5): {errors[:5]}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(args: argparse.Namespace, workdir: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    from frontline.ledger.models import Problem, ProblemEvent

    if args.reuse:
        world = load_province()
        print(f"reusing problems={Problem.objects.count()}")
    else:
        call_command("migrate", verbosity=0)
        world = build_province()
        seconds = fill(world, args.problems, args.seed)
        print(
            f"measure=fill problems={Problem.objects.count()} events={ProblemEvent.objects.count()} "
            f"seconds={seconds:.1f}"
        )
    measures = set(args.measures.split(","))
    for name, users, path in (
        ("inbox", world["clerks"], "/ledger/inbox/"),
        ("board_county", world["officials"], "/ledger/board/"),
        ("board_province", [world["province"]], "/ledger/board/"),
        ("problem_list_county", world["officials"], "/ledger/problems/?overdue=on"),
    ):
        if not any(name.startswith(m) for m in measures):
            continue
        samples = time_pages(users, path, rounds=max(1, args.rounds // len(users)))
        p50, p95 = percentiles(samples)
        print(f"measure={name} p50_ms={p50:.1f} p95_ms={p95:.1f} n={len(samples)}")
    if "similar" in measures:
        measure_similar(world, args.queries, args.seed, workdir)
    if "intake" in measures:
        measure_intake(world, args.seconds, args.clients, args.workers, args.threads, workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200, help="page loads per page measure")
    parser.add_argument("--queries", type=int, default=200, help="similar-case queries")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of the intake run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent intake clients (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: as `frontline serve`)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: as `frontline serve`)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--measures",
        default="inbox,board,problem_list,similar,intake",
        help="comma-separated: inbox, board, board_county, board_province, problem_list, similar, intake",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (for EXPLAIN)")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure a database kept with --keep, without filling")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    workdir = Path(tempfile.mkdtemp(prefix="frontline-bench-ledger-"))
    os.environ["FRONTLINE_VAR_DIR"] = str(workdir)
    if args.reuse:  # a database kept by an earlier run: measure again without filling
        admin_url, _, _old = os.environ.get("DATABASE_URL", "").rpartition("/")
        admin_url, name = f"{admin_url}/{_old}", args.reuse
        os.environ["DATABASE_URL"] = f"{admin_url.rpartition('/')[0]}/{name}"
        args.keep = True
    else:
        admin_url, name = prepare_database()
    try:
        run(args, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept database {name}")
        else:
            drop_database(admin_url, name)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
