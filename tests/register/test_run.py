"""Resolution runs on the store (SQLite and PostgreSQL): links by credit code and by the comparison model, golden
fields with provenance, stable ids across re-runs and new data, merge / split / undo remembered, the links export,
and the CLI."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import zhizhi.resolve.run as run_module
from tests.conftest import OPERATOR, Outbox
from tests.ingest.test_pipeline import SOURCE, _codes, _row, _source, _write
from zhizhi import __version__
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.config.models import ResolveConfig, SurvivorshipConfig
from zhizhi.errors import ConflictError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.resolve import register, review
from zhizhi.resolve.cache import RELEASE, STAMP, last_stamp
from zhizhi.resolve.features import prepare
from zhizhi.resolve.model import Model
from zhizhi.resolve.run import resolve
from zhizhi.resolve.scoring import explain, splink_predict
from zhizhi.resolve.subjects import current_versions, load_subjects
from zhizhi.store.tables import Entity, EntityLink, Record, ResolveEdge, ResolveRun, ReviewPair

TRADES = ("华信", "恒达", "鸿运", "金桂", "龙城", "百盛", "嘉禾", "宏图", "福满", "富康", "利民", "永兴")
ROADS = ("文昌路", "东环大道", "五一路", "屏山大道", "潭中东路", "驾鹤路")
DISTRICTS = ("城中区", "鱼峰区", "柳南区", "柳北区")
CONFIG = ResolveConfig(survivorship=SurvivorshipConfig(sources=["dengji"]))  # the registration office first
LICENCES = SOURCE.replace("name: dengji", "name: xuke").replace("department: LZ-DJ", "department: LZ-SP")


def _firms(count: int) -> list[dict[str, str]]:
    codes = _codes(count, seed=11)
    return [
        {
            "code": codes[i],
            "name": f"柳州市{TRADES[i]}{['科技', '商贸', '食品'][i % 3]}有限公司",
            "address": f"柳州市{DISTRICTS[i % 4]}{ROADS[i % 6]}{i + 10}号",
            "phone": f"139772{i:05d}",
        }
        for i in range(count)
    ]


def _load(city: sessionmaker[Session], folder: Path, firms: list[dict[str, str]]) -> None:
    """Registration with codes; the licence office writes the same firms without the city and, for half, no code."""
    registration = [_row(f["code"], f["name"], 住所=f["address"], 联系电话=f["phone"]) for f in firms]
    licences = [
        _row(
            f["code"] if i % 2 else "",
            f["name"].removeprefix("柳州市").replace("有限公司", "有限责任公司"),
            住所="广西" + f["address"],
            联系电话=f["phone"],
        )
        for i, f in enumerate(firms)
    ]
    with city() as session, session.begin():
        ingest_file(
            session,
            OPERATOR,
            _source(),
            _write(folder / "dengji.csv", registration),
            today=date(2026, 11, 28),
            outbox=Outbox(),
        )
        ingest_file(
            session,
            OPERATOR,
            _source(LICENCES),
            _write(folder / "xuke.csv", licences),
            today=date(2026, 11, 28),
            outbox=Outbox(),
        )


def _entities(session: Session) -> dict[str, int]:
    """Record key (source:key) -> entity id."""
    rows = session.execute(select(Record.source, Record.key, EntityLink.entity_id).join(EntityLink)).all()
    return {f"{source}:{key}": entity for source, key, entity in rows}


def _run(city: sessionmaker[Session]) -> dict[str, int]:
    with city() as session, session.begin():
        return resolve(session, OPERATOR, CONFIG).as_dict()


def test_records_of_two_departments_resolve_into_one_register(city: sessionmaker[Session], tmp_path: Path) -> None:
    firms = _firms(12)
    _load(city, tmp_path, firms)
    first = _run(city)
    assert first["records_read"] == 24 and first["records_new"] == 24 and first["entities"] == 12
    with city() as session:
        links = {link.record_id: link for link in session.scalars(select(EntityLink))}
        how = {link.how for link in links.values()}
        assert how == {"uscc", "model"}  # half the licences have no code: the model links them
        by_key = _entities(session)
        found = register.search(session, OPERATOR, firms[0]["code"])
        assert [e["id"] for e in found] == [by_key[f"dengji:uscc={firms[0]['code']}"]]
        file = register.entity_file(session, OPERATOR, found[0]["id"])
        assert len(file["records"]) == 2 and {r["source"] for r in file["records"]} == {"dengji", "xuke"}
        golden = file["golden"]
        assert golden["name"]["value"] == firms[0]["name"] and golden["name"]["source"] == "dengji"
        assert golden["name"]["file"] == "dengji.csv" and golden["name"]["row"] == 2
        assert [e["what_zh"] for e in file["timeline"]] == ["市场主体：成立日期", "市场主体：成立日期"]
        assert register.search(session, OPERATOR, "lzshx")[0]["id"] == found[0]["id"]  # pinyin initials
        wide = "".join(chr(ord(c) + 0xFEE0) for c in firms[0]["code"])  # as a department's export writes it
        assert [e["id"] for e in register.search(session, OPERATOR, wide)] == [found[0]["id"]]

    again = _run(city)
    assert again["records_new"] == 0 and again["entities_new"] == 0
    with city() as session:
        assert _entities(session) == by_key  # the same data: the same ids


def test_golden_records_written_in_slices_are_the_golden_records(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    firms = _firms(12)
    _load(city, tmp_path, firms)
    _run(city)
    with city() as session:
        whole = {e.id: (e.golden, e.name, e.search, e.records) for e in session.scalars(select(Entity))}
    monkeypatch.setattr("zhizhi.resolve.write.GOLDEN_SLICE", 5)  # 12 entities: three slices
    with city() as session, session.begin():
        other = ResolveConfig(survivorship=SurvivorshipConfig(sources=["xuke"]))  # every golden record again
        resolve(session, OPERATOR, other)
        sliced = {e.id: e for e in session.scalars(select(Entity))}
        assert sliced.keys() == whole.keys() and {e.records for e in sliced.values()} == {2}
        assert {e.name for e in sliced.values()} == {
            f["name"].removeprefix("柳州市").replace("有限公司", "有限责任公司") for f in firms
        }
    with city() as session, session.begin():
        resolve(session, OPERATOR, CONFIG)  # the settings of the first run again, in slices
        assert {e.id: (e.golden, e.name, e.search, e.records) for e in session.scalars(select(Entity))} == whole


def test_undoing_one_pair_of_a_split_undoes_the_whole_split(city: sessionmaker[Session], tmp_path: Path) -> None:
    """A split is an `apart` per pair made at once; the review page undid only the pairs it listed (at most 50), so a
    large split stayed partly in force, unseen."""
    firms = _firms(6)
    _load(city, tmp_path, firms)
    _run(city)
    a = f"dengji:uscc={firms[0]['code']}"
    b, c = (_licence_without_code(firms[i]) for i in (2, 4))  # the steward ties them to the first firm
    with city() as session, session.begin():
        ids = {f"{r.source}:{r.key}": r.id for r in session.scalars(select(Record))}
        review.decide(session, OPERATOR, "merge", [(ids[a], ids[b]), (ids[a], ids[c])], "同一家企业")
    _run(city)
    with city() as session, session.begin():
        assert len({_entities(session)[k] for k in (a, b, c)}) == 1  # one entity of four records
        made = review.split(session, OPERATOR, [ids[b], ids[c]], "并非同一企业")
        assert len(made) == 4  # each record taken out, apart from each that stayed
    _run(city)
    with city() as session, session.begin():
        assert review.undo(session, OPERATOR, [made[0].id], "拆分有误") == 4
    _run(city)
    with city() as session:
        assert len({_entities(session)[k] for k in (a, b, c)}) == 1


def _licence_without_code(firm: dict[str, str]) -> str:
    """The key (source:key) of the firm's licence record, which `_load` writes without its code for every other firm."""
    name = firm["name"].removeprefix("柳州市").replace("有限公司", "有限责任公司")
    return f"xuke:name={name}|address=广西{firm['address']}"


def test_ids_stay_and_decisions_are_remembered(city: sessionmaker[Session], tmp_path: Path) -> None:
    firms = _firms(12)
    _load(city, tmp_path, firms[:10])
    lone = _lone_licence(city, tmp_path)  # no code, nothing like it: an entity of its own
    _run(city)
    with city() as session:
        before = _entities(session)
    _load(city, tmp_path, firms)  # two more firms arrive
    later = _run(city)
    assert later["records_new"] == 4 and later["entities_new"] == 2
    with city() as session:
        after = _entities(session)
    assert {k: after[k] for k in before} == before  # no id changed because new data arrived

    a, b = f"dengji:uscc={firms[0]['code']}", lone
    with city() as session, session.begin():
        ids = {f"{r.source}:{r.key}": r.id for r in session.scalars(select(Record))}
        (merged,) = review.decide(session, OPERATOR, "merge", [(ids[a], ids[b])], "同一家企业，许可证用旧名")
    _run(city)
    with city() as session:
        now = _entities(session)
        kept = min(after[a], after[b])
        assert now[a] == now[b] == kept
        gone = max(after[a], after[b])
        old = session.get(Entity, gone)
        assert old is not None and old.status == "merged" and old.merged_into == kept
        assert register.current_id(session, gone) == kept
    _run(city)  # the decision is remembered by the next run
    with city() as session:
        assert _entities(session)[a] == _entities(session)[b]
    with city() as session, session.begin():
        review.undo(session, OPERATOR, [merged.id], "合并有误")
    _run(city)
    with city() as session:
        undone = _entities(session)
        assert undone[a] != undone[b] and undone[a] == kept
        assert undone[b] == gone  # the merged-away id comes back
        revived = session.get(Entity, gone)
        assert revived is not None and revived.status == "active" and revived.merged_into is None

    xuke = f"xuke:uscc={firms[1]['code']}"  # the licence with a code: split it off its entity
    with city() as session, session.begin():
        review.split(session, OPERATOR, [ids[xuke]], "许可证持有人并非该企业")
    _run(city)
    with city() as session:
        split = _entities(session)
        assert split[xuke] != split[f"dengji:uscc={firms[1]['code']}"]


def _lone_licence(city: sessionmaker[Session], folder: Path) -> str:
    """A licence without a code of a firm the register knows nothing else of; returns its key (source:key)."""
    lone = LICENCES.replace("name: xuke", "name: xuke_lone")
    name, address = "永昌五金经营部", "柳州市柳北区跃进路3号"
    row = _row("", name, 住所=address, 联系电话="13977299999")
    with city() as session, session.begin():
        path = _write(folder / "xuke_lone.csv", [row])
        ingest_file(session, OPERATOR, _source(lone), path, today=date(2026, 11, 28), outbox=Outbox())
    return f"xuke_lone:name={name}|address={address}"


def test_the_cli_resolves_searches_and_exports_links(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path
) -> None:
    _load(city, tmp_path, _firms(12))
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["-w", str(workspace.root), *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert json.loads(run("resolve", "--json"))["entities"] == 12
    found = json.loads(run("entities", "search", "华信", "--json"))
    assert len(found) == 1
    shown = json.loads(run("entities", "show", str(found[0]["id"]), "--json"))
    assert len(shown["records"]) == 2
    out = tmp_path / "links.csv"
    run("entities", "export", "--links", "--format", "csv", "-o", str(out))
    with out.open(encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(handle))
    assert len(lines) == 24 and {line["source"] for line in lines} == {"dengji", "xuke"}
    assert {line["file"] for line in lines} == {"dengji.csv", "xuke.csv"} and {line["row"] for line in lines} >= {"2"}
    assert len({line["entity_id"] for line in lines}) == 12
    for fmt in ("xlsx", "json"):
        run("entities", "export", "--format", fmt, "-o", str(tmp_path / f"register.{fmt}"))
    assert len(json.loads((tmp_path / "register.json").read_text(encoding="utf-8"))) == 12
    missing = runner.invoke(app, ["-w", str(workspace.root), "entities", "show", "999"])
    assert missing.exit_code == 1 and "No entity 999" in missing.output


@pytest.mark.parametrize("kind", ["merge", "apart"])
def test_a_decision_needs_a_reason_and_two_records(city: sessionmaker[Session], kind: str) -> None:
    from zhizhi.errors import InputError

    with city() as session, pytest.raises(InputError):
        review.decide(session, OPERATOR, kind, [(1, 2)], " ")
    with city() as session, pytest.raises(InputError):
        review.decide(session, OPERATOR, kind, [(1, 1)], "理由")


def test_a_run_where_no_pair_reaches_review_links_by_code_alone(city: sessionmaker[Session], tmp_path: Path) -> None:
    _load(city, tmp_path, _firms(12))
    strict = ResolveConfig(match_probability=0.999999999, review_probability=0.999999999)
    with city() as session, session.begin():
        report = resolve(session, OPERATOR, strict)
    assert report.review_new == 0 and report.entities == 18  # 6 licences without a code stand alone


@pytest.mark.spark
def test_the_register_scored_on_spark_is_the_register_scored_on_duckdb(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    pytest.importorskip("pyspark", reason="pyspark is not installed — pip install -e '.[spark]'")
    import functools

    from zhizhi.resolve.spark import local_session, score_pairs_on_spark

    _load(city, tmp_path, _firms(12))
    with city() as session, session.begin():
        on_spark = resolve(
            session, OPERATOR, CONFIG, score=functools.partial(score_pairs_on_spark, spark=local_session())
        )
        by_key = _entities(session)
        session.rollback()
    with city() as session, session.begin():
        on_duckdb = resolve(session, OPERATOR, CONFIG)
        assert _entities(session) == by_key and on_duckdb.entities == on_spark.entities == 12


def test_the_prepared_features_cache_changes_nothing_but_the_time(city: sessionmaker[Session], tmp_path: Path) -> None:
    cache = tmp_path / "features.parquet"
    firms = _firms(12)
    _load(city, tmp_path, firms[:10])
    with city() as session, session.begin():
        resolve(session, OPERATOR, CONFIG, cache=cache)
    assert cache.is_file()
    cached = pl.read_parquet(cache)
    assert cached.height == 20 and "record_version_id" in cached.columns
    _load(city, tmp_path, firms)  # two new firms: their four records are prepared, the rest read from the cache
    with city() as session, session.begin():
        report = resolve(session, OPERATOR, CONFIG, cache=cache)
        with_cache = _entities(session)
        session.rollback()
    assert report.records_new == 4 and pl.read_parquet(cache).height == 24
    with city() as session, session.begin():
        resolve(session, OPERATOR, CONFIG)  # the same run without the cache
        assert _entities(session) == with_cache
    for broken in (b"not parquet", None):
        if broken is None:  # another engine's columns, this release
            foreign = pl.DataFrame({"record_id": [1], "record_version_id": [1], "other": ["x"]})
            foreign.write_parquet(cache, metadata={RELEASE: __version__})
        else:
            cache.write_bytes(broken)
        with city() as session, session.begin():
            assert resolve(session, OPERATOR, CONFIG, cache=cache).entities == 12
            session.rollback()
    with city() as session, session.begin():
        resolve(session, OPERATOR, CONFIG, cache=cache)
    cached = pl.read_parquet(cache)
    stamped = pl.read_parquet_metadata(cache)
    older = cached.with_columns(pl.lit("旧版本的特征").alias("core"))  # what another release might have prepared
    older.write_parquet(cache, metadata={**stamped, RELEASE: "0.0.1"})
    _load(city, tmp_path, firms[:1] + [{**firms[0], "code": _codes(13, seed=11)[12], "name": "柳州市新来商贸有限公司"}])
    with city() as session, session.begin():
        assert resolve(session, OPERATOR, CONFIG, cache=cache).records_new == 2
    assert pl.read_parquet_metadata(cache)[RELEASE] == __version__
    assert "旧版本的特征" not in pl.read_parquet(cache)["core"].to_list()  # every record prepared again


def test_a_cache_stamped_by_the_last_run_is_taken_without_reading_every_version(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "features.parquet"
    firms = _firms(12)
    _load(city, tmp_path, firms[:8])
    with city() as session, session.begin():
        resolve(session, OPERATOR, CONFIG, cache=cache)
    with city() as session:
        first = last_stamp(session)
    assert first is not None and pl.read_parquet_metadata(cache)[STAMP] == first
    checked: list[int] = []

    def versions(session: Session) -> pl.DataFrame:
        checked.append(1)
        return current_versions(session)

    monkeypatch.setattr("zhizhi.resolve.cache.current_versions", versions)
    _run(city)  # nothing new, and no cache: the stamp of the last run with new records stays
    _load(city, tmp_path, firms[:10])
    with city() as session, session.begin():
        assert resolve(session, OPERATOR, CONFIG, cache=cache).records_new == 4
        assert not checked  # trusted: only the new records were read
        by_key = _entities(session)
    with city() as session:
        assert pl.read_parquet_metadata(cache)[STAMP] == last_stamp(session) != first
    _load(city, tmp_path, firms)  # two more firms, resolved once without the cache: it no longer holds every record
    _run(city)
    with city() as session, session.begin():
        assert resolve(session, OPERATOR, CONFIG, cache=cache).records_new == 0
        assert checked  # not the last run's: every version checked against it
        assert {k: v for k, v in _entities(session).items() if k in by_key} == by_key
    assert pl.read_parquet(cache).height == 24


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("cached", [False, True])
def test_a_version_committed_while_a_run_reads_is_scored_by_the_next_run(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    """PostgreSQL reads each statement at its own moment (SQLite's run holds the write lock from its start, so no
    ingest commits while it reads): a version that lands between a run's query for new records and its reading of
    the records is not scored by that run, so the register must not say it was."""
    cache = tmp_path / "features.parquet" if cached else None
    firms = _firms(12)
    _load(city, tmp_path, firms)
    _run(city)
    changed = {**firms[0], "phone": "13977299999"}  # the registration changes before the run: the run's own work
    with city() as session, session.begin():
        row = _row(changed["code"], changed["name"], 住所=changed["address"], 联系电话=changed["phone"])
        ingest_file(
            session, OPERATOR, _source(), _write(tmp_path / "d2.csv", [row]), today=date(2026, 11, 29), outbox=Outbox()
        )
    found = run_module.fresh_records

    def ingest_meanwhile(session: Session) -> pl.Series:  # the licence of the same firm changes while the run reads
        fresh = found(session)
        name = firms[0]["name"].removeprefix("柳州市").replace("有限公司", "有限责任公司")  # as _load writes it
        licence = _row("", name, 住所="广西" + firms[0]["address"], 联系电话="13977288888")
        with city() as other, other.begin():
            path = _write(tmp_path / "x2.csv", [licence])
            ingest_file(other, OPERATOR, _source(LICENCES), path, today=date(2026, 11, 29), outbox=Outbox())
        return fresh

    monkeypatch.setattr(run_module, "fresh_records", ingest_meanwhile)
    with city() as session, session.begin():
        assert resolve(session, OPERATOR, CONFIG, cache=cache).records_new == 1
    monkeypatch.setattr(run_module, "fresh_records", found)
    with city() as session:
        licence = session.scalars(select(Record).where(Record.source == "xuke", Record.version == 2)).one()
        linked = session.get(EntityLink, licence.id)
        assert linked is not None and linked.record_version_id != licence.version_id  # not scored: not linked as such
    with city() as session, session.begin():
        assert resolve(session, OPERATOR, CONFIG, cache=cache).records_new == 1  # the next run scores it
        linked = session.get(EntityLink, licence.id)
        assert linked is not None and linked.record_version_id == licence.version_id
    assert _run(city)["records_new"] == 0


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_record_added_while_a_first_run_reads_waits_for_the_next_run(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    firms = _firms(12)
    _load(city, tmp_path, firms[:10])
    found = run_module.fresh_records

    def ingest_meanwhile(session: Session) -> pl.Series:
        fresh = found(session)
        _load(city, tmp_path / "later", firms)  # two more firms land while the first run reads
        return fresh

    (tmp_path / "later").mkdir()
    monkeypatch.setattr(run_module, "fresh_records", ingest_meanwhile)
    with city() as session, session.begin():
        first = resolve(session, OPERATOR, CONFIG)
    monkeypatch.setattr(run_module, "fresh_records", found)
    assert first.records_new == 20 and first.records_reconsidered == 20
    with city() as session:
        assert len(_entities(session)) == 20  # the four records that came later are not in the register yet
    assert _run(city)["records_new"] == 4
    with city() as session:
        assert len(_entities(session)) == 24 and len(set(_entities(session).values())) == 12


def test_an_incremental_run_links_as_a_whole_run_would(city: sessionmaker[Session], tmp_path: Path) -> None:
    firms = _firms(12)
    _load(city, tmp_path, firms[:6])
    _run(city)
    _load(city, tmp_path, firms[:9])  # three new firms
    assert _run(city)["records_reconsidered"] == 6  # their six records: nothing else is reached
    with city() as session, session.begin():
        ids = {f"{r.source}:{r.key}": r.id for r in session.scalars(select(Record))}
        a, b = ids[f"dengji:uscc={firms[0]['code']}"], ids[_licence_without_code(firms[2])]
        review.decide(session, OPERATOR, "merge", [(a, b)], "同一家企业，许可证用旧名")
        review.split(session, OPERATOR, [ids[f"xuke:uscc={firms[3]['code']}"]], "许可证持有人并非该企业")
    renamed = [dict(f) for f in firms]
    renamed[5]["name"] = "柳州市嘉禾商贸有限公司"  # a changed record: another firm's trade name now
    _load(city, tmp_path, renamed)
    report = _run(city)
    with city() as session:
        total = session.scalar(select(func.count()).select_from(Record))
        incremental = _entities(session)
    assert 0 < report["records_reconsidered"] < total
    other = ResolveConfig(survivorship=SurvivorshipConfig(sources=["xuke"]))  # other settings: all clustered again
    with city() as session, session.begin():
        whole = resolve(session, OPERATOR, other)
        assert whole.records_reconsidered == total and whole.entities_new == whole.entities_merged == 0
        assert _entities(session) == incremental
    assert _run(city)["records_reconsidered"] == total  # and back to the first settings


PATROL = """\
name: xuncha
department: LZ-TS
record_type: inspection
default_prefecture: "450200"
fields:
  entity_name: 被检查对象
  inspected_on: 检查日期
  result: 检查结论
"""


def test_a_list_without_codes_links_a_row_to_the_one_firm_holding_its_name(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A market patrol's list typed by hand: names without the city, no code, no address or phone. A row whose name
    core (trade name + industry word) exactly one credit code in the register holds joins that firm's entity; a row
    whose name the register does not hold stays alone (issue 15 §2)."""
    firms = _firms(12)
    for index, form in ((1, "股份有限公司"), (3, "个人独资企业"), (5, "股份有限公司"), (7, "个人独资企业")):
        firms[index]["name"] = firms[index]["name"].replace("有限公司", form)
    _load(city, tmp_path, firms)
    names = [firms[2]["name"].removeprefix("柳州市"), firms[5]["name"].removeprefix("柳州市"), "永兴建材有限公司"]
    rows = [[name, "2026-11-20", "未发现问题"] for name in names]
    with city() as session, session.begin():
        path = _write(tmp_path / "xuncha.csv", rows, header=["被检查对象", "检查日期", "检查结论"])
        ingest_file(session, OPERATOR, _source(PATROL), path, today=date(2026, 11, 28), outbox=Outbox())
    _run(city)
    with city() as session:
        by_key = _entities(session)
        listed = session.execute(
            select(Record.id, EntityLink.entity_id, EntityLink.how).join(EntityLink).where(Record.source == "xuncha")
        ).all()
        assert len(listed) == 3
        entity = {record: (entity, how) for record, entity, how in sorted(listed)}
        first, second, third = entity.values()
        assert first == (by_key[f"dengji:uscc={firms[2]['code']}"], "model")
        assert second == (by_key[f"dengji:uscc={firms[5]['code']}"], "model")
        assert third[1] == "alone"


def test_a_list_row_leaves_the_one_holder_of_its_name_once_another_firm_registers_that_name(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The row joined the one firm holding its name core; a second firm of that name registered later (another
    district) makes the name no one firm's: the row is scored again and leaves, as it would have stayed alone had both
    firms been registered first. The register does not depend on the order the files came in."""
    firms = _firms(12)
    for index, form in ((1, "股份有限公司"), (3, "个人独资企业"), (5, "股份有限公司"), (7, "个人独资企业")):
        firms[index]["name"] = firms[index]["name"].replace("有限公司", form)
    _load(city, tmp_path, firms)
    name = firms[2]["name"].removeprefix("柳州市")
    with city() as session, session.begin():
        header = ["被检查对象", "检查日期", "检查结论"]
        path = _write(tmp_path / "xuncha.csv", [[name, "2026-11-20", "未发现问题"]], header=header)
        ingest_file(session, OPERATOR, _source(PATROL), path, today=date(2026, 11, 28), outbox=Outbox())
    _run(city)

    def patrol_row() -> tuple[int, str]:
        with city() as session:
            entity, how = session.execute(
                select(EntityLink.entity_id, EntityLink.how).join(Record).where(Record.source == "xuncha")
            ).one()
            return int(entity), str(how)

    with city() as session:
        holder = _entities(session)[f"dengji:uscc={firms[2]['code']}"]
    assert patrol_row() == (holder, "model")
    namesake = _row(_codes(1, seed=99)[0], f"柳州市柳北区{name}", 住所="柳州市柳北区跃进路9号", 联系电话="13977299999")
    with city() as session, session.begin():
        path = _write(tmp_path / "dengji2.csv", [namesake])
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=Outbox())
    _run(city)
    entity, how = patrol_row()
    assert entity != holder and how == "alone"


EQUIPMENT = """\
name: tezhong
department: LZ-TS
record_type: equipment
default_prefecture: "450200"
fields:
  equipment_code: 设备编号
  kind: 设备种类
  user_name: 使用单位
  address: 使用地址
"""


def test_another_districts_name_never_joins_a_firm_by_its_address(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A code-less list's row carrying the name of one district's firm (柳州市鱼峰区华泰商贸) at the address of
    another district's firm of the same trade name (柳州市柳南区华泰商贸) is not that other firm: the same core in two
    registration areas is two firms (it joined it, at 0.9994, in the demo city). A row carrying a firm's whole
    registered name at an address in another district (a firm that moved) links in a register this small."""
    firms = _firms(12)
    codes = _codes(2, seed=77)
    namesakes = [
        _row(codes[0], "柳州市柳南区华泰商贸有限公司", 住所="柳州市柳南区航生路10号", 联系电话="13977200001"),
        _row(codes[1], "柳州市鱼峰区华泰商贸有限公司", 住所="柳州市鱼峰区航生路20号", 联系电话="13977200002"),
    ]
    _load(city, tmp_path, firms)
    moved = firms[4]  # registered in 城中区 (DISTRICTS[0])
    with city() as session, session.begin():
        path = _write(tmp_path / "dengji2.csv", namesakes)
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=Outbox())
        rows = [["SB001", "电梯", moved["name"], "柳州市柳北区跃进路88号"],
                ["SB002", "锅炉", "柳州市鱼峰区华泰商贸有限公司", "柳州市柳南区航生路10号"]]  # fmt: skip
        path = _write(tmp_path / "tezhong.csv", rows, header=["设备编号", "设备种类", "使用单位", "使用地址"])
        ingest_file(session, OPERATOR, _source(EQUIPMENT), path, today=date(2026, 11, 28), outbox=Outbox())
    _run(city)
    with city() as session:
        by_key = _entities(session)
        assert by_key["tezhong:equipment_code=SB001"] == by_key[f"dengji:uscc={moved['code']}"]
        assert by_key["tezhong:equipment_code=SB002"] != by_key[f"dengji:uscc={codes[0]}"]
        # Why, as the run's model reads the pair: what the level says does not depend on the register's size.
        ids = dict(session.execute(select(Record.key, Record.id).where(Record.key.in_(
            ["equipment_code=SB001", "equipment_code=SB002", f"uscc={moved['code']}", f"uscc={codes[0]}"]))).all())
        model = Model.from_json(session.scalar(select(ResolveRun.model).order_by(ResolveRun.id.desc()).limit(1)) or "")
        features = prepare(load_subjects(session))
    pairs = [sorted((ids["equipment_code=SB001"], ids[f"uscc={moved['code']}"])),
             sorted((ids["equipment_code=SB002"], ids[f"uscc={codes[0]}"]))]  # fmt: skip
    scored = splink_predict(features, pl.DataFrame(pairs, schema=["record_id_l", "record_id_r"], orient="row"), model)
    why = [json.loads(text) for text in scored.sort("record_id_l").select(explain(scored, model))[:, 0]]
    by_pair = dict(zip(scored.sort("record_id_l").select("record_id_l", "record_id_r").rows(), why, strict=True))
    moved_why, namesake_why = by_pair[tuple(pairs[0])], by_pair[tuple(pairs[1])]
    assert "登记名称相同" in moved_why["name"], moved_why
    assert "不同登记辖区" in namesake_why["name"], namesake_why


def test_a_merge_never_puts_two_credit_codes_in_one_entity(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path
) -> None:
    """A steward's merge of two registered firms went through and the entity kept one code: the other firm's code
    found nothing in the register. It is refused, naming both codes, and so is one that the merges in force would
    chain to another code."""
    firms = _firms(4)
    _load(city, tmp_path, firms)
    _run(city)
    a, b = (f"dengji:uscc={firms[i]['code']}" for i in (0, 1))
    lone = _licence_without_code(firms[2])  # no code: the steward may tie it to the first firm
    with city() as session, session.begin():
        ids = {f"{r.source}:{r.key}": r.id for r in session.scalars(select(Record))}
        with pytest.raises(ConflictError) as refused:
            review.decide(session, OPERATOR, "merge", [(ids[a], ids[b])], "同一家企业")
        assert f"`{firms[0]['code']}` (record {ids[a]})" in refused.value.message
        assert f"`{firms[1]['code']}` (record {ids[b]})" in refused.value.message
        assert firms[1]["code"] in (refused.value.message_zh or "") and "不能合并" in (refused.value.message_zh or "")
        review.decide(session, OPERATOR, "merge", [(ids[a], ids[lone])], "许可证用旧名")
        with pytest.raises(ConflictError, match=firms[0]["code"]):
            review.decide(session, OPERATOR, "merge", [(ids[lone], ids[b])], "同一家企业")
    runner = CliRunner()
    merge = ["review", "merge", "--record", str(ids[a]), "--record", str(ids[b]), "--reason", "同一家企业"]
    answer = runner.invoke(app, ["-w", str(workspace.root), *merge])
    assert answer.exit_code == 1 and firms[1]["code"] in answer.output
    _run(city)
    with city() as session:
        assert [d["records"] for d in review.decisions(session, OPERATOR)] == [sorted([ids[a], ids[lone]])]
        found = register.search(session, OPERATOR, firms[1]["code"])
        assert [e["uscc"] for e in found] == [firms[1]["code"]]
        assert _entities(session)[lone] == _entities(session)[a] != _entities(session)[b]


def test_other_thresholds_queue_every_stored_pair_of_their_band(city: sessionmaker[Session], tmp_path: Path) -> None:
    """A higher match threshold split the entities held by pairs now below it, but the run queued only the pairs it
    scored itself (none: nothing was new), so nobody was asked about them. Every stored pair in the new band waits,
    but the ones a steward decided."""
    _load(city, tmp_path, _firms(12))
    _run(city)
    stricter = ResolveConfig(survivorship=CONFIG.survivorship, match_probability=0.9999999)
    band = (ResolveEdge.probability >= stricter.review_probability) & (ResolveEdge.probability < 0.9999999)
    with city() as session, session.begin():
        pairs = session.execute(select(ResolveEdge.record_id_l, ResolveEdge.record_id_r).where(band)).all()
        (decided, *waiting) = sorted(tuple(p) for p in pairs)
        review.decide(session, OPERATOR, "apart", [decided], "不是同一家")
    with city() as session, session.begin():
        report = resolve(session, OPERATOR, stricter)
        queued = session.execute(select(ReviewPair.record_id_l, ReviewPair.record_id_r)).all()
    assert report.records_new == 0 and report.review_new == len(waiting) > 0
    assert sorted(tuple(p) for p in queued) == waiting
    with city() as session, session.begin():
        assert resolve(session, OPERATOR, stricter).review_new == 0  # the same settings: nothing new to ask
