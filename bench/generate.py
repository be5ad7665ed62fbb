"""Generate a province-scale data set directly in PostgreSQL with set-based SQL.

    python bench/generate.py --scale 1.0     # 1 000 000 institutions, 5 000 000 inspections
    python bench/generate.py --scale 0.01    # 1 % for development

Runs against DATABASE_URL, which must name a database whose name contains "bench" (the tables
of the data set are TRUNCATEd first). The schema must be migrated and the regions loaded
(`manage.py migrate && manage.py load_regions`); bench/run.sh does both.

Why set-based: one INSERT … SELECT FROM generate_series per table lets PostgreSQL write millions
of rows without a round trip each; secondary indexes and foreign keys are dropped first and
recreated afterwards (a bulk build per index is many times faster than row-by-row maintenance).
Every row is derived from its number `i` with cheap arithmetic (hash-free modulo mixing), so the
data set is the same at every run and rows spread evenly over the 3 000+ real counties.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from urllib.parse import urlparse

import psycopg

# Tables we fill, in dependency order. Everything that references them is emptied by CASCADE.
TABLES = [
    "registry_institution",
    "registry_registration",
    "registry_registrationtransition",
    "registry_filing",
    "registry_filingclass",
    "registry_filingtransition",
    "registry_healthinboxentry",
    "inspections_inspection",
    "inspections_finding",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯欣怡佳琪梦婷雪晨子涵轩博文昊然"
# Brand words and kinds that childcare institutions in China really use in their names.
BRANDS = [
    "阳光",
    "小太阳",
    "童心",
    "爱贝",
    "小天使",
    "彩虹",
    "启航",
    "金色摇篮",
    "育才",
    "贝乐",
    "七彩",
    "小橡树",
    "星辰",
    "花朵",
    "蓓蕾",
    "宝贝树",
    "未来星",
    "乐童",
    "小海豚",
    "蒲公英",
    "小蜜蜂",
    "卡乐",
    "慧育",
    "童话",
    "知音",
    "新苗",
    "欣欣",
    "安琪儿",
    "哈哈",
    "启智",
    "晨曦",
    "萌芽",
    "果果",
    "糖果",
    "小松鼠",
    "月亮船",
    "福娃",
    "春蕾",
    "嘉禾",
    "青青",
]
KINDS = [
    "托育中心",
    "托育园",
    "婴幼儿照护中心",
    "托育服务中心",
    "早教托育中心",
    "托育园（普惠）",
    "家庭托育点",
    "社区托育服务站",
    "幼儿园托班",
    "育婴园",
]
ROADS = [
    "人民路",
    "建设路",
    "解放路",
    "中山路",
    "和平路",
    "新华路",
    "文化路",
    "胜利路",
    "幸福路",
    "长江路",
]


def sql_array(values: list[str] | str) -> str:
    items = list(values)
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in items) + "]::text[]"


def build_sql(n: int, visits_per_institution: int) -> list[tuple[str, str]]:
    """The statements, labelled. n institutions; n*visits_per_institution inspections."""
    m = n * visits_per_institution
    surnames, given = sql_array(SURNAMES), sql_array(GIVEN)
    brands, kinds, roads = sql_array(BRANDS), sql_array(KINDS), sql_array(ROADS)
    # Status mixes, by i % 100: registrations 95 % approved, the rest in the registrar queue or
    # drafts; filings (approved registrations only) mostly filed, a realistic review queue.
    reg_status = (
        "CASE WHEN i % 100 < 95 THEN 'approved' WHEN i % 100 < 98 THEN 'submitted' "
        "WHEN i % 100 < 99 THEN 'returned' ELSE 'draft' END"
    )
    fil_status = (
        "CASE WHEN i % 97 < 80 THEN 'filed' WHEN i % 97 < 85 THEN 'submitted' "
        "WHEN i % 97 < 87 THEN 'supplement_requested' WHEN i % 97 < 90 THEN 'nonconforming' "
        "WHEN i % 97 < 91 THEN 'closing' WHEN i % 97 < 94 THEN 'draft' ELSE 'deregistered' END"
    )
    return [
        (
            "counties",
            """
            DROP TABLE IF EXISTS bench_county;
            CREATE UNLOGGED TABLE bench_county AS
              SELECT row_number() OVER (ORDER BY code) - 1 AS idx, code, name
              FROM regions_region WHERE level = 'county' OR county_level;
            CREATE UNIQUE INDEX ON bench_county (idx); ANALYZE bench_county;
            """,
        ),
        (
            f"institutions ({n})",
            f"""
            INSERT INTO registry_institution
              (id, created_at, updated_at, name, credit_code, address, home_based, region_id)
            SELECT i, ts, ts,
              left(c.name, 2) || ({brands})[1 + (i * 7) % {len(BRANDS)}]
                || ({kinds})[1 + (i / 3) % {len(KINDS)}]
                || CASE WHEN i % 5 = 0 THEN '（' || (i % 9 + 1) || '分园）' ELSE '' END,
              '91' || c.code || lpad(i::text, 9, '0') || 'X',
              c.name || ({roads})[1 + i % {len(ROADS)}] || (i % 999 + 1) || '号',
              (i / 3) % {len(KINDS)} = 6,
              c.code
            FROM (SELECT i, now() - (i % 1460) * interval '1 day' AS ts,
                         (i * 2654435761) % (SELECT count(*) FROM bench_county) AS k
                  FROM generate_series(1, {n}) AS i) AS s
            JOIN bench_county c ON c.idx = s.k;
            """,
        ),
        (
            "registrations",
            f"""
            INSERT INTO registry_registration
              (id, created_at, updated_at, name, legal_nature, care_modes, business_scope, address,
               legal_representative_name, legal_representative_id_encrypted,
               legal_representative_id_hash, legal_representative_id_masked, contact_phone,
               credit_code, authority, status, submitted_at, decided_at, approved_on, import_key,
               institution_id, region_id)
            SELECT i, created_at, created_at, name,
              (ARRAY['public_institution','nonprofit','for_profit'])[1 + i % 3],
              CASE WHEN i % 4 = 0 THEN ARRAY['full_day','hourly'] ELSE ARRAY['full_day'] END,
              '托育服务', address,
              ({surnames})[1 + i % {len(SURNAMES)}] || ({given})[1 + (i / 7) % {len(GIVEN)}],
              '', md5(i::text) || md5(i::text), '3711**********' || lpad((i % 10000)::text, 4, '0'),
              '138' || lpad((i % 100000000)::text, 8, '0'),
              credit_code, (ARRAY['minzheng','scjg','bianban'])[1 + i % 3],
              {reg_status},
              CASE WHEN i % 100 BETWEEN 95 AND 97 THEN now() - (i % 19) * interval '1 day'
                   ELSE created_at + interval '1 day' END,
              CASE WHEN i % 100 < 95 THEN created_at + interval '6 days' END,
              CASE WHEN i % 100 < 95 THEN (created_at + interval '6 days')::date END,
              '', i, region_id
            FROM (SELECT i.*, i.id AS i FROM registry_institution i) AS x;
            """,
        ),
        (
            "registration transitions (audit)",
            """
            INSERT INTO registry_registrationtransition
              (from_status, to_status, reason, created_at, registration_id)
            SELECT 'draft', 'submitted', '', submitted_at, id FROM registry_registration
              WHERE status <> 'draft'
            UNION ALL
            SELECT 'submitted', 'approved', '', decided_at, id FROM registry_registration
              WHERE status = 'approved';
            """,
        ),
        (
            "filings",
            f"""
            INSERT INTO registry_filing
              (id, created_at, updated_at, status, filing_number, person_in_charge_name,
               person_in_charge_id_encrypted, person_in_charge_id_hash, person_in_charge_id_masked,
               care_modes, places, staff_caregivers, staff_health_workers, staff_security_guards,
               staff_cooks, staff_managers, building_area_m2, indoor_area_m2, outdoor_area_m2,
               children_floor, site_tenure, lease_end, meals, inclusive, monthly_fee,
               commitment_accepted, commitment_signed_by, commitment_signed_at, received_at,
               receipt_due, conformity_due, clocks_provisional, filed_on, receipt_issued_at,
               conformity_decided_at, nonconformity_reasons, issued_rules, latest_inspection,
               region_id, institution_id, registration_id)
            SELECT i, ts, ts, st,
              CASE WHEN st IN ('filed','nonconforming','closing','deregistered')
                   THEN region_id || '-' || extract(year FROM ts)::int || '-' || lpad(i::text, 7, '0')
                   ELSE '' END,
              legal_representative_name, '', '', legal_representative_id_masked,
              care_modes, 20 + (i % 8) * 10, 4 + i % 6, 1, 1, 1 + i % 2, 1,
              400 + i % 600, 200 + i % 300, 60 + i % 200, 1 + i % 3,
              CASE WHEN i % 2 = 0 THEN 'owned' ELSE 'leased' END,
              CASE WHEN i % 2 = 1 THEN (ts + interval '5 years')::date END,
              (ARRAY['none','on_site','delivered'])[1 + i % 3], i % 3 = 0,
              CASE WHEN i % 3 = 0 THEN 1200 + (i % 10) * 100 ELSE 2000 + (i % 40) * 100 END,
              st <> 'draft', legal_representative_name, ts,
              CASE WHEN st <> 'draft' THEN ts + interval '1 day' END,
              CASE WHEN st <> 'draft' THEN (ts + interval '8 days')::date END,
              CASE WHEN st <> 'draft' THEN (ts + interval '22 days')::date END, false,
              CASE WHEN st IN ('filed','nonconforming','closing','deregistered')
                   THEN (ts + interval '3 days')::date END,
              CASE WHEN st IN ('filed','nonconforming','closing','deregistered')
                   THEN ts + interval '3 days' END,
              NULL,
              CASE WHEN st = 'nonconforming' THEN '["室内活动面积不足"]'::jsonb ELSE '[]'::jsonb END,
              '{{}}'::jsonb,
              CASE WHEN i % 4 = 0 THEN jsonb_build_object('visited_on', (ts + interval '90 days')::date,
                   'kind', 'routine', 'open_findings', i % 3) END,
              region_id, i, i
            FROM (SELECT r.*, r.id AS i,
                         CASE WHEN {fil_status.replace("i %", "r.id %")}
                                   IN ('submitted', 'supplement_requested')
                              THEN now() - (r.id % 21) * interval '1 day' - interval '1 day'
                              ELSE r.decided_at END AS ts,
                         {fil_status.replace("i %", "r.id %")} AS st
                  FROM registry_registration r WHERE r.status = 'approved') AS x;
            """,
        ),
        (
            "filing index",
            """
            DROP TABLE IF EXISTS bench_filing;
            CREATE UNLOGGED TABLE bench_filing AS
              SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id, institution_id, region_id
              FROM registry_filing;
            CREATE UNIQUE INDEX ON bench_filing (idx); ANALYZE bench_filing;
            """,
        ),
        (
            "filing classes (2 per filing)",
            """
            INSERT INTO registry_filingclass (class_type, children, carers, min_age_months, filing_id)
            SELECT (ARRAY['infant','young_toddler','older_toddler','mixed'])[1 + (f.id + k) % 4],
                   10 + (f.id % 5), 3, NULL, f.id
            FROM registry_filing f CROSS JOIN generate_series(0, 1) AS k;
            """,
        ),
        (
            "filing transitions (audit)",
            """
            INSERT INTO registry_filingtransition
              (from_status, to_status, reason, details, created_at, filing_id)
            SELECT 'draft', 'submitted', '', '{}'::jsonb, received_at, id FROM registry_filing
              WHERE status <> 'draft'
            UNION ALL
            SELECT 'submitted', 'filed', '', '{}'::jsonb, receipt_issued_at, id FROM registry_filing
              WHERE filed_on IS NOT NULL;
            """,
        ),
        (
            "health inbox (one push per approved registration)",
            """
            INSERT INTO registry_healthinboxentry
              (idempotency_key, event, registration_ref, credit_code, name, address,
               legal_representative_name, legal_representative_id_encrypted,
               legal_representative_id_masked, legal_representative_id_hash, authority,
               approved_on, received_at, receipts, payload, region_id, registration_id)
            SELECT 'approved:' || id, 'approved', id, credit_code, name, address,
                   legal_representative_name, '', legal_representative_id_masked,
                   legal_representative_id_hash, authority, approved_on,
                   decided_at + interval '10 seconds', 1, '{}'::jsonb, region_id, id
            FROM registry_registration WHERE status = 'approved';
            """,
        ),
        (
            f"inspections ({m})",
            f"""
            INSERT INTO inspections_inspection
              (id, created_at, updated_at, kind, departments, visited_on, checklist_answers,
               observed_classes, standards_check, notes, quality_score, quality_grade, published,
               over_capacity, filing_id, institution_id, region_id)
            SELECT v, ts, ts,
              (ARRAY['routine','special','health_care','fire','food','security','quality',
                     'complaint','follow_up'])[1 + v % 9],
              CASE WHEN v % 3 = 0 THEN ARRAY['health','fire'] ELSE ARRAY['health'] END,
              ts::date, '{{}}'::jsonb, '[]'::jsonb, '[]'::jsonb,
              '现场检查，' || (ARRAY['未发现问题','发现问题已告知整改','资料基本齐全'])[1 + v % 3],
              NULL, '', v % 2 = 0, false, f.id, f.institution_id, f.region_id
            FROM (SELECT v, (v::bigint * 40503) % (SELECT count(*) FROM bench_filing) AS k,
                         now() - (v % 1095) * interval '1 day' AS ts
                  FROM generate_series(1, {m}) AS v) AS s
            JOIN bench_filing f ON f.idx = s.k;
            """,
        ),
        (
            "findings (one per inspection)",
            """
            INSERT INTO inspections_finding
              (id, created_at, updated_at, rule, severity, description, deadline, status,
               technical_advice, published, institution_id, region_id, inspection_id)
            SELECT id, created_at, created_at,
              (ARRAY['carer_ratio_below_standard','indoor_area_too_small','消防通道堵塞',
                     '晨午检记录不全','食品留样缺失'])[1 + id % 5],
              (ARRAY['minor','minor','major','critical'])[1 + id % 4],
              '检查发现问题，限期整改。', visited_on + 30,
              (ARRAY['verified','verified','verified','open','rectification_submitted'])[1 + id % 5],
              false, published, institution_id, region_id, id
            FROM inspections_inspection;
            """,
        ),
    ]


def build_in_parallel(url: str, statements: list[str], workers: int) -> None:
    """Run DDL statements on `workers` connections, each taking the next statement in order."""
    pending = queue.SimpleQueue[str]()
    for statement in statements:
        pending.put(statement)
    errors: list[BaseException] = []

    def work() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("SET max_parallel_maintenance_workers = 0")
            while True:
                try:
                    statement = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    conn.execute(statement)
                except BaseException as exc:  # reported after the other builds finish
                    errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1 000 000 institutions")
    parser.add_argument("--visits", type=int, default=5, help="inspections per institution")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if "bench" not in (urlparse(url).path or ""):
        print("refusing: DATABASE_URL must name a *bench* database (tables are truncated)")
        return 2
    n = int(1_000_000 * args.scale)
    started = time.monotonic()
    timings: list[tuple[str, float]] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        # The audit triggers (pghistory) would write an event row per generated row and make the
        # load five times slower; the data set carries its history in the transition tables.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        conn.execute("SET work_mem = '256MB'")
        # Save, then drop, the secondary indexes and unique/FK constraints of the tables we fill.
        # The definitions are kept in bench_saved_ddl until they are recreated, so a run that
        # fails half-way is repaired by the next one.
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_saved_ddl (kind text, tbl text, name text, def text)"
        )
        if not conn.execute("SELECT 1 FROM bench_saved_ddl LIMIT 1").fetchone():
            conn.execute(
                """INSERT INTO bench_saved_ddl
                   SELECT 'index', tablename, indexname, indexdef FROM pg_indexes
                   WHERE schemaname = 'public' AND tablename = ANY(%s)
                     AND indexname NOT IN (SELECT conname FROM pg_constraint
                                           WHERE contype IN ('p', 'u'))""",
                (TABLES,),
            )
            conn.execute(
                """INSERT INTO bench_saved_ddl
                   SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                   FROM pg_constraint
                   WHERE contype IN ('u', 'f') AND conrelid::regclass::text = ANY(%s)""",
                (TABLES,),
            )
        defs = conn.execute(
            "SELECT tbl, name, def FROM bench_saved_ddl WHERE kind = 'index'"
        ).fetchall()
        uniq = conn.execute(
            "SELECT tbl, name, def FROM bench_saved_ddl WHERE kind = 'constraint'"
        ).fetchall()
        conn.execute("TRUNCATE " + ", ".join(TABLES) + " RESTART IDENTITY CASCADE")
        for table, name, _definition in uniq:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
        for _table, name, _definition in defs:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        timings.append(("truncate + drop indexes", time.monotonic() - started))
        for label, statement in build_sql(n, args.visits):
            t0 = time.monotonic()
            conn.execute(statement)
            timings.append((label, time.monotonic() - t0))
            print(f"  {label}: {timings[-1][1]:.1f} s", flush=True)
        t0 = time.monotonic()
        for table in TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 1))"
            )
        # Rebuild: unique constraints, then indexes — bulk builds, biggest first, on as many
        # connections as there are cores (one build is one sort on one core; GIN builds are never
        # parallel inside PostgreSQL, so concurrency across builds is what uses both cores).
        todo: list[str] = []
        for table, name, definition in uniq:
            exists = conn.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = %s", (name,)
            ).fetchone()
            if definition.startswith("UNIQUE") and not exists:
                todo.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        sizes = dict(
            conn.execute(
                "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
                (TABLES,),
            ).fetchall()
        )
        for _table, name, definition in sorted(defs, key=lambda d: -sizes.get(d[0], 0)):
            if not conn.execute("SELECT 1 FROM pg_class WHERE relname = %s", (name,)).fetchone():
                todo.append(definition)
        build_in_parallel(url, todo, workers=max(2, os.cpu_count() or 2))
        timings.append(("indexes", time.monotonic() - t0))
        print(f"  indexes: {timings[-1][1]:.1f} s", flush=True)
        t0 = time.monotonic()
        # Foreign keys come back NOT VALID: the rows are consistent by construction and checking
        # 16 million references would double the run; VALIDATE can run later online.
        for table, name, definition in uniq:
            exists = conn.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = %s", (name,)
            ).fetchone()
            if definition.startswith("FOREIGN KEY") and not exists:
                conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID')
        conn.execute("DROP TABLE IF EXISTS bench_county, bench_filing, bench_saved_ddl")
        conn.execute("VACUUM (ANALYZE) " + ", ".join(TABLES))
        timings.append(("constraints + vacuum analyze", time.monotonic() - t0))
        print(f"  constraints + vacuum analyze: {timings[-1][1]:.1f} s", flush=True)
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES
        }
    total = time.monotonic() - started
    print(f"generated in {total:.1f} s: {counts}")
    import json

    out = os.environ.get("BENCH_GENERATE_OUT", ".data/bench_generate.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        json.dump(
            {"scale": args.scale, "seconds": total, "steps": timings, "rows": counts}, fh, indent=1
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
