"""Benchmark of a monthly appraisal at province scale (a benchmark, not a test). PostgreSQL only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/appraisal.py
    DATABASE_URL=... .venv/bin/python bench/appraisal.py --cadres 20000 --problems 60000   # a small run

It creates a throwaway database next to the one DATABASE_URL names, migrates it, builds a
province (10 cities × 10 counties, 1,000 home units, 27,000 posts), then fills it:

- --cadres cadres (COPY through `frontline.excel.bulk.insert_many`), each deployed in one campaign
  (2% moved mid-month, so that the longest deployment decides the peer group);
- --problems problems of October 2026 attributed to those cadres, with their timelines (register,
  hand-over, acceptance, send-backs, resolution, closure) and the requesters' ratings — about 5.5
  ledger rows a problem, so the default 1.82M problems make ~10M ledger rows — generated inside
  PostgreSQL (INSERT … SELECT over generate_series, the fastest way to get them there);
- inspections (half of the cadres), stakeholder ratings (~1 a cadre) and adopted suggestions (5%).

Then it creates the default six-dimension scheme and October's period and runs `period_compute`
in a fresh process (so that peak_mb is the computation's own: max RSS of that process, Django
included), printing the phases it logs and one line:

    cadres=… ledger_rows=… compute_s=… cpu_s=… pg_cpu_s=… peak_mb=… pg_peak_mb=… scores=… flags=…

cpu_s is the computing process's CPU time and pg_cpu_s its PostgreSQL backend's, pg_peak_mb the
backend's peak resident memory (VmHWM, shared buffers it touched included), all read from /proc:
the database runs on the same machine. On a shared machine the CPU times say more than the wall
time. Re-run only the computation on a database kept with --keep — that is a recomputation, which
also deletes the period's earlier scores (and checks the foreign keys that point at them):

    DATABASE_URL=postgres://…/frontline_bench_appraisal_NNN .venv/bin/python bench/appraisal.py --compute-period 1
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
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIES = 10
COUNTIES_PER_CITY = 10
HOME_UNITS = 1_000
POSTS = 27_000
MONTH = date(2026, 10, 1)
# Post kinds by share, and the roles a cadre takes there.
POST_KINDS = [("enterprise", 40), ("project", 10), ("community", 12), ("village", 18), ("grid", 20)]
ROLES_BY_KIND = {
    "enterprise": ("enterprise_commissioner", "party_building_instructor"),
    "project": ("project_commissioner",),
    "community": ("first_secretary", "grid_head"),
    "village": ("first_secretary",),
    "grid": ("grid_head", "building_head"),
}


def prepare_database() -> tuple[str, str]:
    """Create a throwaway database and point DATABASE_URL at it; return (admin url, name)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench/appraisal.py needs DATABASE_URL=postgres://… (it measures PostgreSQL)")
    import psycopg

    base, _, _name = url.rpartition("/")
    name = f"frontline_bench_appraisal_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    return url, name


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_province() -> dict[str, Any]:
    """Create regions, units and posts; return what the fill needs."""
    from frontline.org.models import Region, Unit, UnitKind
    from frontline.posts.models import Post

    province = Region.objects.create(code="420000000000", name="湖北省", level=1)
    root = Unit.objects.create(name="中共湖北省委", region=province, kind=UnitKind.PARTY_COMMITTEE, path="/", depth=0)
    root.path = f"/{root.pk}/"
    root.save()
    counties: list[Unit] = []
    for c in range(CITIES):
        city_r = Region.objects.create(code=f"42{c + 1:02d}00000000", name=f"市{c}", level=2, parent=province)
        city = Unit.objects.create(name=f"市委{c}", region=city_r, parent=root, depth=1)
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
    home_units = []
    for i in range(HOME_UNITS):
        county = counties[i % len(counties)]
        unit = Unit.objects.create(
            name=f"派出单位{i}", region_id=county.region_id, parent=county, kind=UnitKind.FUNCTIONAL_DEPARTMENT, depth=3
        )
        unit.path = f"{county.path}{unit.pk}/"
        unit.save(update_fields=["path"])
        home_units.append(unit.pk)
    rng = random.Random(7)
    kinds = [kind for kind, weight in POST_KINDS for _ in range(weight)]
    communities: list[Post] = []
    posts: list[Post] = []
    for i in range(POSTS):
        county = counties[i % len(counties)]
        kind = rng.choice(kinds)
        parent = rng.choice(communities) if kind == "grid" and communities else None
        post = Post(kind=kind, name=f"阵地{i}", region_id=county.region_id, unit=county, parent=parent)
        posts.append(post)
        if kind == "community" and len(communities) < 2000:
            post.save()
            communities.append(post)
    Post.objects.bulk_create([p for p in posts if p.pk is None], batch_size=5000)
    return {
        "root": root,
        "home_units": home_units,
        "posts": list(Post.objects.values_list("pk", "kind").order_by("pk")),
    }


def fill_cadres(world: dict[str, Any], n: int) -> tuple[int, int, Any]:
    """COPY the cadres and their deployments; return (first cadre id, last cadre id, campaign)."""
    from frontline.cadres.models import Cadre
    from frontline.dispatch.models import Campaign, Deployment, DeploymentRole
    from frontline.excel.bulk import insert_many

    rng = random.Random(11)
    units = world["home_units"]
    insert_many(
        Cadre,
        ("name", "gender", "birth_date", "id_number_encrypted", "id_number_hash", "id_number_masked", "home_unit_id"),
        (
            (
                f"干部{i}",
                "M" if i % 2 else "F",
                date(1975 + i % 25, 1 + i % 12, 1 + i % 28),
                "-",
                f"h{i:063d}",
                "420***********000X",
                units[i % len(units)],
            )
            for i in range(n)
        ),
    )
    first, last = Cadre.objects.order_by("pk").values_list("pk", flat=True)[0], Cadre.objects.latest("pk").pk
    campaign = Campaign.objects.create(
        name="万名干部进万企", organizing_unit=world["root"], start_date=date(2026, 1, 1), status="active"
    )
    roles = dict(DeploymentRole.objects.values_list("code", "pk"))
    posts = world["posts"]

    def deployments() -> Any:
        for cadre_id in range(first, last + 1):
            post_id, kind = posts[rng.randrange(len(posts))]
            role = roles[rng.choice(ROLES_BY_KIND[kind])]
            if rng.random() < 0.02:  # moved on 13 October: 12 days there, 19 days at the new post
                yield (campaign.pk, cadre_id, post_id, role, date(2026, 3, 1), date(2026, 10, 12), "ended")
                post_id, kind = posts[rng.randrange(len(posts))]
                role = roles[rng.choice(ROLES_BY_KIND[kind])]
                yield (campaign.pk, cadre_id, post_id, role, date(2026, 10, 13), None, "active")
            else:
                yield (campaign.pk, cadre_id, post_id, role, date(2026, 3, 1), None, "active")

    insert_many(
        Deployment, ("campaign_id", "cadre_id", "post_id", "role_id", "start_date", "ended_on", "status"), deployments()
    )
    return first, last, campaign


LEDGER_SQL = """
INSERT INTO ledger_problem (
    tracking_code, source, requester_kind, requester_name, requester_phone_encrypted, requester_phone_masked,
    post_id, post_unit_id, region_id, cadre_id, category_id, title, description, solution_plan, resolution,
    status, level, clock_started_on, handover_due, feedback_due, resolve_due, deadline_unconfirmed, is_overdue,
    send_back_count, reopen_count, closed_without_confirmation, close_reason, version, created_at, updated_at,
    handed_over_at, acknowledged_at, first_feedback_at, resolved_at, closed_at)
SELECT 'A' || lpad(g::text, 10, '0'), 'visit', 'resident', '', '', '',
       p.id, p.unit_id, p.region_id, s.cadre_id, s.category_id, '群众诉求', '基准数据', '',
       CASE WHEN s.status IN ('resolved', 'closed') THEN '已办结' ELSE '' END,
       s.status, s.level, s.created_day, s.created_day + 1,
       CASE WHEN s.status <> 'registered' THEN s.created_day + 4 END,
       CASE WHEN s.status <> 'registered' THEN s.created_day + s.resolve_days END,
       false, false,
       CASE WHEN s.status = 'sent_back' OR s.u_flag BETWEEN 0.035 AND 0.055 THEN 1 ELSE 0 END,
       CASE WHEN s.status = 'supervised' OR (s.status IN ('resolved', 'closed') AND s.u_flag BETWEEN 0.005 AND 0.035)
            THEN 1 ELSE 0 END,
       s.unconfirmed, CASE WHEN s.unconfirmed THEN '多次联系不上诉求人' ELSE '' END,
       3, s.created_at, s.created_at,
       CASE WHEN s.status <> 'registered' THEN s.handed END,
       CASE WHEN s.status IN ('in_progress', 'resolved', 'closed', 'supervised') THEN s.acknowledged END,
       CASE WHEN s.status IN ('in_progress', 'resolved', 'closed', 'supervised') THEN s.acknowledged END,
       CASE WHEN s.status IN ('resolved', 'closed') THEN s.resolved END,
       CASE WHEN s.status = 'closed' THEN s.resolved + interval '1 day' END
FROM (
    SELECT b.*,
           (b.created_at AT TIME ZONE 'Asia/Shanghai')::date AS created_day,
           b.created_at + b.u_hand * interval '8 hours' AS handed,
           b.created_at + b.u_hand * interval '8 hours' + b.u_ack * interval '30 hours' AS acknowledged,
           b.created_at + b.u_hand * interval '8 hours' + b.u_res * interval '12 days' AS resolved,
           CASE WHEN random() < 0.3 THEN 40 ELSE 9 END AS resolve_days,
           CASE WHEN b.u_status < 0.55 THEN 'closed' WHEN b.u_status < 0.65 THEN 'resolved'
                WHEN b.u_status < 0.80 THEN 'in_progress' WHEN b.u_status < 0.88 THEN 'handed_over'
                WHEN b.u_status < 0.93 THEN 'registered' WHEN b.u_status < 0.96 THEN 'sent_back'
                ELSE 'supervised' END AS status,
           b.u_status < 0.55 AND b.u_flag < 0.005 AS unconfirmed
    FROM (
        SELECT g,
               %(first_cadre)s + floor(random() * %(cadres)s)::bigint AS cadre_id,
               %(first_post)s + floor(random() * %(posts)s)::bigint AS post_id,
               (%(categories)s::bigint[])[1 + floor(random() * %(n_categories)s)::int] AS category_id,
               1 + floor(random() * random() * 4)::int AS level,
               timestamptz '2026-10-01 00:00+08' + random() * interval '31 days' AS created_at,
               random() AS u_status, random() AS u_hand, random() AS u_ack, random() AS u_res, random() AS u_flag
        FROM generate_series(1, %(problems)s) AS g
    ) AS b
) AS s
JOIN posts_post p ON p.id = s.post_id
"""

EVENTS_SQL = """
INSERT INTO ledger_problemevent (problem_id, action, actor_name, from_status, to_status, note, public, created_at)
SELECT p.id, a.action, '基准', a.from_status, a.to_status, '', true,
       CASE a.step WHEN 0 THEN p.created_at WHEN 1 THEN p.handed_over_at WHEN 2 THEN p.acknowledged_at
                   WHEN 3 THEN p.resolved_at ELSE p.closed_at END
FROM ledger_problem p
JOIN (VALUES ('register', '', 'registered', 0), ('hand_over', 'registered', 'handed_over', 1),
             ('accept', 'handed_over', 'in_progress', 2), ('resolve', 'in_progress', 'resolved', 3),
             ('confirm', 'resolved', 'closed', 4)) AS a(action, from_status, to_status, step)
  ON a.step <= CASE p.status WHEN 'registered' THEN 0 WHEN 'sent_back' THEN 1 WHEN 'handed_over' THEN 1
                             WHEN 'in_progress' THEN 2 WHEN 'supervised' THEN 2 WHEN 'resolved' THEN 3 ELSE 4 END
WHERE NOT (a.step = 4 AND p.closed_without_confirmation);

INSERT INTO ledger_problemevent (problem_id, action, actor_name, from_status, to_status, note, public, created_at)
SELECT id, 'close_unconfirmed', '基准', 'resolved', 'closed', close_reason, true, closed_at
FROM ledger_problem WHERE closed_without_confirmation;

INSERT INTO ledger_problemevent (problem_id, action, actor_name, from_status, to_status, note, public, created_at)
SELECT id, 'send_back', '基准', 'handed_over', 'sent_back', '材料不全', false, handed_over_at + interval '3 hours'
FROM ledger_problem WHERE send_back_count > 0 AND handed_over_at IS NOT NULL;

INSERT INTO ledger_problemevent (problem_id, action, actor_name, from_status, to_status, note, public, created_at)
SELECT id, 'reopen', '基准', 'resolved', 'supervised', '不满意', true, coalesce(resolved_at, acknowledged_at)
FROM ledger_problem WHERE reopen_count > 0;

INSERT INTO ledger_rating (problem_id, score, satisfied, comment, created_at)
SELECT id, s.score, s.score >= 4, '', closed_at
FROM (SELECT id, closed_at, least(5, 1 + floor(sqrt(random()) * 5))::int AS score
      FROM ledger_problem WHERE status = 'closed' AND NOT closed_without_confirmation) AS s
WHERE random() < 0.7;
"""

EVIDENCE_SQL = """
INSERT INTO appraisal_inspection (campaign_id, cadre_id, inspected_on, task_completion, enterprise_evaluation,
                                  ledger_check, unannounced, notes, created_at)
SELECT %(campaign)s, c.id, date '2026-10-01' + floor(random() * 31)::int,
       60 + floor(random() * 41)::int, 60 + floor(random() * 41)::int, 50 + floor(random() * 51)::int,
       random() < 0.3, '', now()
FROM cadres_cadre c WHERE random() < 0.5;

INSERT INTO appraisal_stakeholderrating (campaign_id, cadre_id, rater_kind, rater_name, score, comment, rated_on,
                                         created_at)
SELECT %(campaign)s, c.id, (ARRAY['enterprise', 'resident', 'colleague'])[1 + floor(random() * 3)::int], '',
       least(5, 1 + floor(sqrt(random()) * 5))::int, CASE WHEN random() < 0.05 THEN '服务热情' ELSE '' END,
       date '2026-10-01' + floor(random() * 31)::int, now()
FROM cadres_cadre c, generate_series(1, 2) AS k WHERE random() < 0.5;

INSERT INTO appraisal_suggestion (cadre_id, title, content, submitted_at, adopted, adopted_at, adoption_note)
SELECT c.id, '优化服务流程', '建议内容', timestamptz '2026-09-20 10:00+08', true,
       timestamptz '2026-10-01 10:00+08' + random() * interval '30 days', ''
FROM cadres_cadre c WHERE random() < 0.05;
"""


LEDGER_TABLES = ("ledger_problem", "ledger_problemevent", "ledger_rating")


def drop_secondary_indexes(cursor: Any) -> list[str]:
    """Drop the ledger tables' indexes that back no constraint; return their definitions.

    ledger_problem has ~30 indexes (the board's, the inbox's …): building them once after the
    load is several times faster than maintaining them row by row during it.
    """
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [list(LEDGER_TABLES)],
    )
    rows = cursor.fetchall()
    for name, _definition in rows:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in rows]


def fill_ledger(first_cadre: int, last_cadre: int, campaign_id: int, problems: int) -> float:
    """Generate the month's ledger and appraisal evidence inside PostgreSQL; return seconds."""
    from django.db import connection

    from frontline.ledger.models import ProblemCategory
    from frontline.posts.models import Post

    categories = list(ProblemCategory.objects.values_list("pk", flat=True))
    post_ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
    assert post_ids[-1] - post_ids[0] + 1 == len(post_ids), "posts are expected to have consecutive ids"
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        indexes = drop_secondary_indexes(cursor)
        cursor.execute(
            LEDGER_SQL,
            {
                "first_cadre": first_cadre,
                "cadres": last_cadre - first_cadre + 1,
                "first_post": post_ids[0],
                "posts": len(post_ids),
                "categories": categories,
                "n_categories": len(categories),
                "problems": problems,
            },
        )
        for statement in EVENTS_SQL.split(";"):
            if statement.strip():
                cursor.execute(statement)
        for definition in indexes:
            cursor.execute(definition)
        for statement in EVIDENCE_SQL.split(";"):
            if statement.strip():
                cursor.execute(statement, {"campaign": campaign_id})
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


def count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def compute_in_child(period_id: int) -> dict[str, str]:
    """Run period_compute in a fresh process; return its key=value figures."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "frontline.settings"}
    result = subprocess.run(
        [sys.executable, __file__, "--compute-period", str(period_id)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stdout.write(result.stderr)
    if result.returncode != 0:
        sys.exit(f"the computation failed:\n{result.stdout}")
    figures: dict[str, str] = {}
    for line in result.stdout.splitlines():
        print(line)
        for pair in line.split():
            key, _sep, value = pair.partition("=")
            figures[key] = value
    return figures


def compute_period_here(period_id: int) -> None:
    """The child: compute the period and print compute_s, cpu_s and peak_mb."""
    import logging

    import django

    django.setup()
    logging.basicConfig(level=logging.INFO, format="  %(message)s", stream=sys.stderr)
    logging.getLogger("frontline.appraisal").setLevel(logging.INFO)
    from frontline.appraisal.services import period_compute

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = backend_pid()
    pg_cpu = backend_cpu_s(backend)
    cpu = time.process_time()
    start = time.perf_counter()
    period = period_compute(period_id=period_id)
    elapsed = time.perf_counter() - start
    cpu_s = time.process_time() - cpu
    same_backend = backend_pid() == backend
    pg_cpu_s = backend_cpu_s(backend) - pg_cpu if same_backend else float("nan")
    pg_peak = backend_peak_mb(backend) if same_backend else float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if period.status != "computed":
        print(f"status={period.status} error={period.error!r}")
        sys.exit(1)
    print(
        f"compute_s={elapsed:.1f} cpu_s={cpu_s:.1f} pg_cpu_s={pg_cpu_s:.1f} peak_mb={peak:.0f} "
        f"pg_peak_mb={pg_peak:.0f} rss_before_mb={rss_before:.0f}"
    )


def backend_pid() -> int:
    """Return the process id of this connection's PostgreSQL backend (it runs on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def backend_cpu_s(pid: int) -> float:
    """Return the CPU seconds (user + system) a local process has used, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_peak_mb(pid: int) -> float:
    """Return the peak resident memory (VmHWM) of a local process in MB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load = os.getloadavg()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    started = time.perf_counter()
    world = build_province()
    first, last, campaign = fill_cadres(world, args.cadres)
    cadres_s = time.perf_counter() - started
    ledger_s = fill_ledger(first, last, campaign.pk, args.problems)
    problems, events, ratings = count("ledger_problem"), count("ledger_problemevent"), count("ledger_rating")
    print(
        f"measure=fill cadres={last - first + 1} deployments={count('dispatch_deployment')} problems={problems} "
        f"events={events} ratings={ratings} inspections={count('appraisal_inspection')} "
        f"stakeholder_ratings={count('appraisal_stakeholderrating')} suggestions={count('appraisal_suggestion')} "
        f"cadres_s={cadres_s:.1f} ledger_s={ledger_s:.1f}"
    )
    from frontline.appraisal.services import period_create, scheme_create

    scheme = scheme_create(actor=None, campaign=campaign, name="月度实绩考核")
    period = period_create(actor=None, scheme=scheme, start_date=MONTH)
    figures = compute_in_child(period.pk)
    from frontline.appraisal.models import CadreScore, IntegrityFlag

    scores = CadreScore.objects.filter(period=period).count()
    flags = IntegrityFlag.objects.filter(period=period).count()
    load = os.getloadavg()
    print(
        f"cadres={last - first + 1} ledger_rows={problems + events + ratings} compute_s={figures['compute_s']} "
        f"cpu_s={figures['cpu_s']} pg_cpu_s={figures['pg_cpu_s']} peak_mb={figures['peak_mb']} "
        f"pg_peak_mb={figures['pg_peak_mb']} scores={scores} "
        f"flags={flags} load={load[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=580_000)
    parser.add_argument("--problems", type=int, default=1_820_000, help="≈ 5.5 ledger rows each with their history")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (for EXPLAIN)")
    parser.add_argument("--compute-period", type=int, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    if args.compute_period:
        compute_period_here(args.compute_period)
        return
    workdir = Path(tempfile.mkdtemp(prefix="frontline-bench-appraisal-"))
    os.environ["FRONTLINE_VAR_DIR"] = str(workdir)
    admin_url, name = prepare_database()
    try:
        run(args)
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
