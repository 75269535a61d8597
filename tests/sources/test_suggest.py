"""`sources suggest` on exports it has never seen: the record type, the columns, the confidence, the file written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.sources.exports import EXPORTS, ROWS, TODAY, Export, Faker, write_csv
from zhizhi.cli.main import app
from zhizhi.config import init_workspace
from zhizhi.errors import ConfigError, ConflictError, InputError
from zhizhi.sources import load_source
from zhizhi.sources.suggest import (
    CHECK_BELOW,
    FLOOR,
    Suggestion,
    assign,
    header_variants,
    normalise_header,
    suggest_source,
    write_suggestion,
)

runner = CliRunner()


@dataclass
class Scored:
    """A suggestion against the truth: fields right, fields with a column in the export, and every miss."""

    right: int
    mappable: int
    wrong: dict[str, tuple[str | None, str | None]]  # field -> (suggested column, true column)

    @property
    def accuracy(self) -> float:
        return self.right / self.mappable


def score(export: Export, suggestion: Suggestion) -> Scored:
    got = {item.field: item.column for item in suggestion.fields}
    right = sum(1 for name, column in export.truth.items() if got.get(name) == column)
    wrong = {
        name: (got.get(name), export.truth.get(name))
        for name in sorted(set(got) | set(export.truth))
        if got.get(name) != export.truth.get(name)
    }
    return Scored(right, len(export.truth), wrong)


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Export]:
    folder = tmp_path_factory.mktemp("exports")
    return {key: make(folder) for key, make in EXPORTS.items()}


@pytest.fixture(scope="module")
def suggestions(exports: dict[str, Export]) -> dict[str, Suggestion]:
    return {
        key: suggest_source(export.path, name=key.replace("_", "-"), today=TODAY) for key, export in exports.items()
    }


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "ws", name="测试市市场监督管理局").root


@pytest.mark.parametrize("key", list(EXPORTS))
def test_each_export_gets_its_record_type_and_most_of_its_columns(
    key: str, exports: dict[str, Export], suggestions: dict[str, Suggestion]
) -> None:
    export, suggestion = exports[key], suggestions[key]
    result = score(export, suggestion)
    assert suggestion.source.record_type == export.record_type, [(t.name, t.score) for t in suggestion.record_types]
    assert result.accuracy >= 0.8, f"{key}: {result.right}/{result.mappable} right; wrong or missing: {result.wrong}"
    assert suggestion.rows_sampled == ROWS
    # Every miss is reported to the steward: a wrong column is marked to be checked, a column the export has for
    # a field that got none is listed as not mapped, a required field without a column is named.
    to_check = {item.field for item in suggestion.to_check}
    for name, (suggested, truth) in result.wrong.items():
        if suggested is not None:
            assert name in to_check, f"{key}: `{name}` <- `{suggested}` is wrong (truth: {truth}) but not flagged"
        if truth is not None and suggested is None:
            assert truth in suggestion.unmapped_columns, f"{key}: `{truth}` (for `{name}`) is not reported"
    required = [f.name for f in suggestion.source.kind.fields if f.required]
    assert suggestion.missing_required == [name for name in required if name not in export.truth]


def test_columns_go_to_fields_one_to_one_and_never_below_the_floor(suggestions: dict[str, Suggestion]) -> None:
    for key, suggestion in suggestions.items():
        columns = [item.column for item in suggestion.mapped]
        assert len(columns) == len(set(columns)), key
        assert all((item.confidence or 0) >= FLOOR for item in suggestion.mapped), key
        assert set(columns) | set(suggestion.unmapped_columns) == set(suggestion.columns), key
        assert {name: m.confidence for name, m in suggestion.source.fields.items()} == {
            item.field: item.confidence for item in suggestion.mapped
        }


def test_the_types_zhizhi_writes_itself_are_never_offered(suggestions: dict[str, Suggestion]) -> None:
    """An answer or a report run is no department's export: they were scored as candidates beside the others."""
    for suggestion in suggestions.values():
        offered = {t.name for t in suggestion.record_types}
        assert "entity" in offered and not offered & {"ticket_answer", "report_run"}, offered


def test_values_alone_find_the_credit_code_date_phone_and_address(suggestions: dict[str, Suggestion]) -> None:
    for key in ("cryptic_columns", "english_headers"):
        by_field = {item.field: item for item in suggestions[key].fields}
        for name in ("uscc", "founded_on", "phone"):
            assert by_field[name].header.kind == "none", (key, name, by_field[name].header)
        for name in ("uscc", "founded_on", "phone", "address"):
            assert by_field[name].value_rate == 1.0, (key, name)
            assert (by_field[name].confidence or 0) >= 0.85, (key, name, by_field[name].confidence)
    cryptic = {item.field: item for item in suggestions["cryptic_columns"].fields}
    assert cryptic["uscc"].column == "字段3" and cryptic["uscc"].confidence == 0.95
    # what values alone cannot prove is mapped, but left for the steward to check
    assert (cryptic["name"].confidence or 1) < CHECK_BELOW and (cryptic["legal_representative"].confidence or 1) < 0.8


def test_merged_and_remarked_headers_match_exactly(suggestions: dict[str, Suggestion]) -> None:
    licence = {item.field: item for item in suggestions["food_licences"].fields}
    assert (licence["number"].column, licence["number"].header.kind) == ("许可证/编号", "exact")
    assert (licence["valid_to"].column, licence["valid_to"].header.synonym) == ("许可证/有效期至", "有效期至")
    assert suggestions["food_licences"].title_row == "柳州市城中区食品经营许可证发放台账（2025年度）"
    entity = {item.field: item for item in suggestions["registration"].fields}
    assert entity["uscc"].column == "统一社会信用代码（必填）" and entity["uscc"].confidence == 1.0
    assert entity["address"].column == "住\u3000所" and entity["address"].header.kind == "exact"


def test_header_normalisation() -> None:
    assert normalise_header("统一社会信用代码（必填）") == "统一社会信用代码"
    assert normalise_header(" 企业名称 * ") == "企业名称"
    assert normalise_header("住\u3000所") == "住所"
    assert normalise_header("ＵＳＣＣ") == "uscc"
    assert normalise_header("名称_2") == "名称"
    assert normalise_header("column_4") == ""
    assert normalise_header("（备注）") == "备注"
    assert header_variants("许可证/编号") == ["许可证编号", "编号"]
    assert header_variants("法定代表人（负责人）") == ["法定代表人"]


def test_values_outweigh_a_misleading_header(tmp_path: Path) -> None:
    """The credit-code header holds old registration numbers; the credit codes sit under 代码; 成立日期 holds junk."""
    fake = Faker(11)
    rows = [["统一社会信用代码", "代码", "企业名称", "成立日期"]]
    for _ in range(60):
        body = f"450200{fake.rng.randint(10**7, 10**8 - 1)}"
        from stdnum.iso7064 import mod_11_10

        rows.append(
            [
                body + mod_11_10.calc_check_digit(body),
                fake.uscc("450202"),
                fake.company(),
                fake.rng.choice(("不详", "见档案", "待补录")),
            ]
        )
    path = write_csv(tmp_path / "旧系统.csv", rows, "utf-8")
    suggestion = suggest_source(path, name="old", record_type="entity", today=TODAY)
    by_field = {item.field: item for item in suggestion.fields}
    assert by_field["uscc"].column == "代码"
    assert by_field["reg_no"].column == "统一社会信用代码" and by_field["reg_no"].header.kind == "none"
    # an exact header whose values all fail is doubtful: mapped at most, and to be checked
    founded = by_field["founded_on"]
    assert founded.value_rate == 0.0
    assert founded.column is None or founded.field in {item.field for item in suggestion.to_check}


def test_assignment_swaps_out_of_the_greedy_trap() -> None:
    # Greedy alone gives a <- x (0.9) and leaves b without a column; a <- y, b <- x is worth more.
    scores = {("a", "x"): 0.9, ("a", "y"): 0.85, ("b", "x"): 0.88, ("b", "z"): FLOOR - 0.01}
    assert assign(scores, ["a", "b"], ["x", "y", "z"]) == {"a": "y", "b": "x"}
    assert assign({("a", "x"): FLOOR - 0.01}, ["a"], ["x"]) == {}
    swapped = {("a", "x"): 0.5, ("a", "y"): 0.9, ("b", "x"): 0.9, ("b", "y"): 0.5}
    assert assign(swapped, ["a", "b"], ["x", "y"]) == {"a": "y", "b": "x"}


def test_the_record_type_can_be_given(exports: dict[str, Export]) -> None:
    suggestion = suggest_source(exports["food_licences"].path, name="xk", record_type="entity", today=TODAY)
    mapped = {item.field: item.column for item in suggestion.mapped}
    assert suggestion.source.record_type == "entity" and suggestion.complete
    assert mapped["name"] == "经营者名称" and mapped["uscc"] == "社会信用代码"
    with pytest.raises(InputError, match="No record type `shop`; known: `entity`"):
        suggest_source(exports["food_licences"].path, name="xk", record_type="shop")


def test_the_sample_is_limited_and_the_name_checked_first(exports: dict[str, Export], tmp_path: Path) -> None:
    assert suggest_source(exports["registration"].path, name="dj", sample_rows=15).rows_sampled == 15
    with pytest.raises(InputError, match="Source name `登记` is not valid"):
        suggest_source(tmp_path / "missing.csv", name="登记")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="holds no table: it appears to be an empty file"):
        suggest_source(tmp_path / "empty.csv", name="empty")


def test_the_written_file_loads_as_suggested(root: Path, suggestions: dict[str, Suggestion]) -> None:
    suggestion = suggestions["registration"]
    path = write_suggestion(root, suggestion)
    assert path == root / "sources" / "registration.yaml"
    source = load_source(root, "registration")
    assert source == suggestion.source
    assert source.department == "UNKNOWN" and source.default_prefecture == "450200"
    assert source.columns()["uscc"] == "统一社会信用代码（必填）"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# Generated by `zhizhi sources suggest` from 登记注册导出.csv on {TODAY.isoformat()}")
    assert "fields with confidence < 0.8: none" in text and "`UNKNOWN` is a placeholder" in text
    assert "code field(s) industry_code: confirm the code list" in text
    assert any("department is the placeholder" in warning for warning in suggestion.warnings)


@pytest.mark.parametrize("columns", [["被投诉方地址"], ["事发地"], ["投诉人地址", "被投诉方地址", "事发地"]])
def test_the_prefecture_is_guessed_from_every_address_field(root: Path, columns: list[str]) -> None:
    """A 12315 export whose 被投诉方地址 all lay in 柳州市 got no default_prefecture: only a field named `address` was
    read, and a ticket has none (its addresses: the respondent's, the caller's, the place)."""
    fake = Faker(13)
    rows = [["登记编号", "登记时间", "投诉人", "被投诉方", *columns, "诉求内容"]]
    for n in range(40):
        addresses = [fake.address(fake.district()[0]) for _ in columns]
        rows.append([f"1450200{n:08d}", "2026-02-03 10:00", fake.person(), fake.company(), *addresses, "退款"])
    path = write_csv(root / "12315投诉举报.csv", rows, "utf-8")
    suggestion = suggest_source(path, name="r12315", department="TSJB", today=TODAY)
    assert suggestion.source.record_type == "ticket" and suggestion.source.default_prefecture == "450200"
    text = write_suggestion(root, suggestion).read_text("utf-8")
    assert "#   default_prefecture: guessed from the addresses (450200): confirm it" in text
    assert load_source(root, "r12315").default_prefecture == "450200"


def test_fields_to_check_and_unmapped_columns_are_in_the_comments(
    root: Path, suggestions: dict[str, Suggestion]
) -> None:
    text = write_suggestion(root, suggestions["cryptic_columns"]).read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    flagged = next(line for line in comments if "fields with confidence < 0.8" in line)
    assert "name <- 字段4 (0.60)" in flagged and "legal_representative <- 字段1" in flagged
    assert "uscc" not in flagged
    assert "# Columns not mapped: 字段6" in comments
    assert load_source(root, "cryptic-columns").fields["uscc"].column == "字段3"


def test_a_required_field_without_column_is_written_as_a_placeholder(
    root: Path, suggestions: dict[str, Suggestion]
) -> None:
    suggestion = suggestions["food_licences"]
    assert not suggestion.complete and suggestion.missing_required == ["kind"]
    text = write_suggestion(root, suggestion).read_text(encoding="utf-8")
    assert "# REQUIRED fields with no column: kind." in text
    assert "  # kind: REQUIRED (许可证种类), no column found" in text
    assert yaml.safe_load(text)["fields"]["number"] == {"column": "许可证/编号", "confidence": 1.0}
    with pytest.raises(ConfigError, match=r"required field\(s\) kind of `licence` are not mapped"):
        load_source(root, "food-licences")
    fixed = text.replace("  # kind: REQUIRED", "  kind: {value: 食品经营许可证}\n  # was: kind: REQUIRED")
    (root / "sources" / "food-licences.yaml").write_text(fixed, encoding="utf-8")
    assert load_source(root, "food-licences").fields["kind"].value == "食品经营许可证"


def test_an_existing_file_is_replaced_only_with_force(root: Path, exports: dict[str, Export]) -> None:
    first = suggest_source(exports["station_list"].path, name="zhan", department="LZ-CZ", today=TODAY)
    write_suggestion(root, first)
    second = suggest_source(exports["station_list"].path, name="zhan", department="LZ-YF", today=TODAY)
    with pytest.raises(ConflictError, match=r"Source `zhan` already exists \(`sources/zhan.yaml`\).*--force"):
        write_suggestion(root, second)
    assert load_source(root, "zhan").department == "LZ-CZ"
    write_suggestion(root, second, force=True)
    assert load_source(root, "zhan").department == "LZ-YF"
    assert not second.warnings


def zz(root: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["-w", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_suggest_writes_the_file_and_refuses_to_overwrite(root: Path, exports: dict[str, Export]) -> None:
    path = str(exports["equipment_list"].path)
    code, out, err = zz(root, "sources", "suggest", path, "--name", "shebei", "--department", "TSSB")
    assert code == 0, err
    assert "Record type equipment (特种设备)" in out and "Wrote sources/shebei.yaml" in out
    assert "设备注册代码" in out and "user_uscc" not in out and err == ""
    assert load_source(root, "shebei").fields["kind"].column == "设备类别"
    code, out, err = zz(root, "sources", "suggest", path, "--name", "shebei")
    assert code == 1 and err.startswith("error: Source `shebei` already exists") and "--force" in err
    code, out, err = zz(root, "sources", "suggest", path, "--name", "shebei", "--force", "--json")
    assert code == 0 and "department is the placeholder `UNKNOWN`" in err
    data = json.loads(out)
    assert data["written"] == "sources/shebei.yaml" and data["record_type"] == "equipment"
    assert data["complete"] is True and data["missing_required"] == []
    assert data["unmapped_columns"] == ["设备品种", "联系人", "联系电话"]
    fields = {item["field"]: item for item in data["fields"]}
    assert fields["next_inspection_on"]["column"] == "下次检验日期" and fields["user_uscc"]["column"] is None
    assert fields["address"]["value_rate"] == 1.0 and fields["address"]["header_match"] == "exact"
    assert data["source"]["fields"]["kind"] == {"column": "设备类别", "confidence": 1.0}
    assert load_source(root, "shebei").department == "UNKNOWN"


@pytest.mark.parametrize("record_type", ["ticket_answer", "report_run"])
def test_a_type_zhizhi_writes_itself_is_refused(root: Path, exports: dict[str, Export], record_type: str) -> None:
    """`--record-type ticket_answer` wrote a source of the desk's answers for a department's export."""
    path = exports["registration"].path
    with pytest.raises(InputError, match=rf"Record type `{record_type}` \(.+\) is written by zhizhi itself") as caught:
        suggest_source(path, name="own", record_type=record_type)
    assert "由智治自行写入" in (caught.value.message_zh or "") and "entity, equipment" in caught.value.message
    code, _, err = zz(root, "sources", "suggest", str(path), "--name", "own", "--record-type", record_type)
    assert code == 1 and "is written by zhizhi itself" in err and not (root / "sources" / "own.yaml").exists()


def test_cli_shows_a_constant_as_mapped_and_why_columns_are_not(root: Path) -> None:
    """The table said `channel * ... required: no column found` though the file got `channel: {value: '12315'}`,
    and the console's columns not mapped left out the reasons the file's comments gave."""
    fake = Faker(14)
    rows = [["序号", "登记编号", "登记时间", "投诉人", "安全管理员", "被投诉方", "诉求内容"]]
    rows += [[str(n + 1), f"1450200{n:08d}", "2026-02-03 10:00", fake.person(), fake.person(), fake.company(), "退款"]
             for n in range(30)]  # fmt: skip
    path = str(write_csv(root / "12315投诉举报登记.csv", rows, "utf-8"))
    code, out, err = zz(root, "sources", "suggest", path, "--name", "r12315", "--department", "TSJB")
    assert code == 0, err
    channel = next(line for line in out.splitlines() if line.startswith("│ channel *"))
    assert "= 12315" in channel and "0.70 check" in channel and "the constant" in channel
    assert "no column" not in out
    assert "  序号: the rows' serial numbers" in out and "  安全管理员: people of another role" in out
    code, out, err = zz(root, "sources", "suggest", path, "--name", "r12315", "--force", "--json")
    data = json.loads(out)
    fields = {item["field"]: item for item in data["fields"]}
    assert (fields["channel"]["value"], fields["channel"]["confidence"]) == ("12315", 0.7)
    assert fields["channel"]["column"] is None and "the constant `12315`" in fields["channel"]["evidence"]
    assert data["constants"] == {"channel": "12315"} and fields["number"]["value"] is None


def test_cli_list_and_show(root: Path, exports: dict[str, Export]) -> None:
    code, out, _ = zz(root, "sources", "list")
    assert code == 0 and "No sources yet" in out
    assert zz(root, "sources", "suggest", str(exports["inspection_log"].path), "--name", "jc", "-q")[0] == 2
    assert zz(root, "sources", "suggest", str(exports["inspection_log"].path), "--name", "jc")[0] == 0
    (root / "sources" / "broken.yaml").write_text("name: broken\n", encoding="utf-8")
    code, out, _ = zz(root, "sources", "list", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["jc"]["record_type"] == "inspection" and rows["jc"]["title"] == "日常检查记录"
    assert rows["jc"]["error"] is None and rows["jc"]["fields"] == 8
    assert rows["broken"]["record_type"] is None and "problem(s)" in rows["broken"]["error"]
    code, out, _ = zz(root, "sources", "list")
    assert code == 0 and "inspection" in out and "broken" in out
    code, out, _ = zz(root, "sources", "show", "jc", "--json")
    shown = json.loads(out)
    assert shown["fields"]["result"] == {"column": "检查结论", "confidence": 1.0}
    assert shown["record_type"] == "inspection"
    code, out, _ = zz(root, "sources", "show", "jc")
    assert code == 0 and "执法人员" in out and "inspected_on *" in out and "Fields not mapped: number." in out
    code, _, err = zz(root, "sources", "show", "nope")
    assert code == 1 and "Known sources: broken, jc" in err


ROLE_HEADERS = [
    # header, role it names
    ("法定代表人", "legal_representative"),
    ("负责人", "legal_representative"),
    ("经营者", "legal_representative"),
    ("经营者姓名", "legal_representative"),
    ("安全管理员", "safety_manager"),
    ("安全负责人", "safety_manager"),
    ("财务负责人", "finance"),
    ("联系人", "contact"),
    ("经办人", "handler"),
    ("被投诉人", "respondent_person"),
    # the bureau's own people beside a business's: who supervises it, who signed its licence
    ("日常监督管理人员", "inspector"),
    ("监督管理人员", "inspector"),
    ("监管人员", "inspector"),
    ("签发人", "inspector"),
    # the word ending last decides (a compound's head), and 负责人 for something else is not the business's
    ("经营者联系人", "contact"),
    ("授权代表", "handler"),
    ("安全生产负责人", "other_responsible"),
    ("设备管理负责人", "other_responsible"),
    ("项目负责人", "other_responsible"),
    ("食品安全责任人", "safety_manager"),
    ("主要负责人", "legal_representative"),
    ("门店负责人", "legal_representative"),
    ("负责人姓名", "legal_representative"),
    ("法定代表人（负责人）", "legal_representative"),
    # a penalty list's case officers, an export's agents and processors, a stall list's 摊主: roles as well
    ("授权委托人", "handler"),
    ("被授权人", "handler"),
    ("代办人", "handler"),
    ("办案人员", "inspector"),
    ("承办人", "inspector"),
    ("稽查人员", "inspector"),
    ("抽样人员", "inspector"),
    ("审核人", "inspector"),
    ("受理人", "inspector"),
    ("网格员", "inspector"),
    ("食品安全总监", "safety_manager"),
    ("从业人员姓名", "operator"),
    ("股东", "member"),
    ("监事", "member"),
    ("见证人", "other_person"),
    ("摊主姓名", "legal_representative"),
    ("业户姓名", "legal_representative"),
    ("姓名", None),
    ("字段3", None),
]


@pytest.mark.parametrize(("header", "role"), ROLE_HEADERS)
def test_the_role_a_person_header_names(header: str, role: str | None) -> None:
    from zhizhi.sources.suggest.roles import person_role

    assert person_role(normalise_header(header)) == role


def _people_list(folder: Path, person_header: str) -> Path:
    fake = Faker(21)
    rows = [["单位名称", "单位地址", person_header, "联系电话"]]
    for _ in range(60):
        rows.append([fake.company(), fake.address("450202"), fake.person(), fake.phone()])
    return write_csv(folder / f"{person_header}.csv", rows, "utf-8")


@pytest.mark.parametrize(
    "header",
    ["安全管理员", "联系人", "经办人", "授权代表", "安全生产负责人", "经营者联系人", "日常监督管理人员", "签发人",
     "授权委托人", "办案人员", "承办人", "审核人", "股东"],
)  # fmt: skip
def test_a_person_of_another_role_is_not_the_legal_representative(root: Path, header: str) -> None:
    suggestion = suggest_source(_people_list(root, header), name="list", record_type="entity", today=TODAY)
    mapped = {item.field: item.column for item in suggestion.fields if item.column}
    assert "legal_representative" not in mapped and mapped["name"] == "单位名称" and mapped["phone"] == "联系电话"
    assert header in suggestion.unmapped_columns
    reason = suggestion.unmapped_reasons[header]
    assert "another role" in reason and "legal_representative" in reason
    comments = [line for line in write_suggestion(root, suggestion).read_text("utf-8").splitlines() if line[:1] == "#"]
    assert f"#   {header}: {reason}" in comments


@pytest.mark.parametrize("header", ["经营者", "负责人", "法定代表人", "主要负责人", "门店负责人", "摊主"])
def test_a_person_of_the_same_role_is_the_legal_representative(root: Path, header: str) -> None:
    suggestion = suggest_source(_people_list(root, header), name="list", record_type="entity", today=TODAY)
    mapped = {item.field: item.column for item in suggestion.fields if item.column}
    assert mapped["legal_representative"] == header
    assert not suggestion.unmapped_reasons


@pytest.mark.parametrize(("record_type", "header"), [("licence", "编号"), ("inspection", "编号"), ("entity", "序号")])
def test_a_column_counting_the_rows_is_never_a_key(root: Path, record_type: str, header: str) -> None:
    """A column headed 编号 holding 1, 2, 3 ... was the licences' (and inspections') number: keyed by it, the next
    month's export overwrote this month's records. It stays unmapped, saying why; the real number is taken."""
    fake = Faker(5)
    rows = [[header, "许可证编号", "经营者名称", "统一社会信用代码", "检查日期", "检查结果", "有效期至"]]
    for n in range(1, 41):
        serial = str(n if n <= 25 else n - 25)  # a second page counting from 1 again
        rows.append([serial, f"JY14502020{n:06d}", fake.company(), fake.uscc("450202"), "2026-03-05", "合格",
                     "2030-12-31"])  # fmt: skip
    suggestion = suggest_source(write_csv(root / f"{record_type}.csv", rows, "utf-8"), name="ledger",
                                record_type=record_type, today=TODAY)  # fmt: skip
    mapped = {item.field: item.column for item in suggestion.fields if item.column}
    assert header not in mapped.values() and header in suggestion.unmapped_columns, mapped
    assert "serial numbers" in suggestion.unmapped_reasons[header]
    if record_type == "licence":
        assert mapped["number"] == "许可证编号"


def test_values_are_judged_as_the_ingest_reads_them_past_spreadsheet_artefacts(tmp_path: Path) -> None:
    """Credit codes behind an apostrophe and ID numbers in `="..."`: judged raw, 0 % were valid, the codes were to be
    checked and the ID column went to the legal representative's name (its ID numbers then stored as a name)."""
    from tests.ingest.test_validate import resident_id

    fake = Faker(12)
    rows = [["统一社会信用代码", "企业名称", "法定代表人", "法定代表人身份证号"]]
    for n in range(40):
        born = f"4502021985{n % 12 + 1:02d}{n % 28 + 1:02d}{n:03d}"
        rows.append([f"'{fake.uscc('450202')}", fake.company(), fake.person(), f'="{resident_id(born)}"'])
    path = write_csv(tmp_path / "登记.csv", rows, "utf-8")
    by_field = {item.field: item for item in suggest_source(path, name="wrapped", today=TODAY).fields}
    assert by_field["uscc"].value_rate == 1.0 and by_field["uscc"].confidence >= 0.8
    assert by_field["legal_representative_id"].column == "法定代表人身份证号"
    assert by_field["legal_representative_id"].value_rate == 1.0
    assert by_field["legal_representative"].column == "法定代表人"


def test_an_amount_is_never_a_date_and_the_inspected_party_is_not_the_inspector(root: Path) -> None:
    """注册资本（万元） holding 20000 was the founding date (the serial of a day in 1954); 被检查人 was the inspectors
    (检查人 inside it), the inspected party's name then published as an inspector's."""
    fake = Faker(8)
    rows = [["统一社会信用代码", "企业名称", "注册资本（万元）", "被检查人", "检查人员", "检查日期", "检查结果"]]
    for n in range(30):
        rows.append([fake.uscc("450202"), fake.company(), str(10000 + 997 * n), fake.person(),
                     f"{fake.person()}、{fake.person()}", "2026-03-05", "合格"])  # fmt: skip
    entity = suggest_source(write_csv(root / "e.csv", rows, "utf-8"), name="e", record_type="entity", today=TODAY)
    mapped = {item.field: item.column for item in entity.fields if item.column}
    assert "注册资本（万元）" not in mapped.values(), mapped
    dated = [[*row[:3], "注册资本登记日期"] if n == 0 else [*row[:3], "2024-05-06"] for n, row in enumerate(rows)]
    mapped = {item.field: item.column for item in suggest_source(write_csv(root / "d.csv", dated, "utf-8"), name="d",
              record_type="entity", today=TODAY).fields if item.column}  # fmt: skip
    assert mapped.get("founded_on") == "注册资本登记日期", mapped  # a date that names money is still a date
    inspection = suggest_source(write_csv(root / "i.csv", rows, "utf-8"), name="i", record_type="inspection",
                                today=TODAY)  # fmt: skip
    mapped = {item.field: item.column for item in inspection.fields if item.column}
    assert mapped.get("inspectors") == "检查人员" and "被检查人" not in mapped.values(), mapped


def test_another_events_day_is_not_the_records_date(root: Path) -> None:
    """A penalty list read as entities: 处罚决定日期 (or 价格调整日期, 录入时间) holding days was the founding date at
    0.85, not even marked to check; a licence ledger's 发证日期 was the expiry (有效期至) beside 有效期起. Each stays
    unmapped, saying why, and the date fields named in the header keep their columns."""
    fake = Faker(9)
    for header in ("处罚决定日期", "价格调整日期", "录入时间"):
        rows = [["统一社会信用代码", "当事人名称", "法定代表人", header]]
        rows += [[fake.uscc("450202"), fake.company(), fake.person(), f"2026-0{n % 2 + 1}-{n % 28 + 1:02d}"]
                 for n in range(30)]  # fmt: skip
        suggestion = suggest_source(write_csv(root / "p.csv", rows, "utf-8"), name="p", record_type="entity",
                                    today=TODAY)  # fmt: skip
        mapped = {item.field: item.column for item in suggestion.fields if item.column}
        assert "founded_on" not in mapped and mapped["legal_representative"] == "法定代表人", mapped
        assert "the days of something else" in suggestion.unmapped_reasons[header]
    rows = [["许可证编号", "经营者名称", "发证日期", "有效期起"]]
    rows += [[f"JY1450202{n:07d}", fake.company(), "2024-05-06", "2024-05-07"] for n in range(30)]
    suggestion = suggest_source(write_csv(root / "l.csv", rows, "utf-8"), name="l", record_type="licence", today=TODAY)
    mapped = {item.field: item.column for item in suggestion.fields if item.column}
    assert mapped["valid_from"] == "有效期起" and "valid_to" not in mapped, mapped
    rows = [["被检查单位", "巡查日期", "检查结果"], *[[fake.company(), "2026-02-05", "合格"] for _ in range(30)]]
    suggestion = suggest_source(write_csv(root / "x.csv", rows, "utf-8"), name="x", record_type="inspection",
                                today=TODAY)  # fmt: skip
    chosen = next(item for item in suggestion.fields if item.field == "inspected_on")
    assert chosen.column == "巡查日期" and chosen.confidence < 0.8  # only 日期 names it: kept, to be checked


def test_an_agricultural_countys_farms_are_firms_not_addresses(root: Path) -> None:
    """An agricultural county's register: 养殖场, 农场, 果园, 种植基地 named after their place (柳州市柳江区…) are
    firms' names, never addresses, so the register is read as entities and 企业名称 is the name."""
    fake = Faker(12)
    kinds = ("金鸡养殖场", "绿源农场", "百香果园", "富硒种植基地", "山茶茶园", "林下苗圃", "金鸡养殖场二分场")
    rows = [["统一社会信用代码", "企业名称", "住所", "成立日期", "登记状态"]]
    for n in range(24):
        name = f"柳州市柳江区{'甲乙丙丁戊己庚辛'[n % 8]}{'金银铜'[n % 3]}{kinds[n % len(kinds)]}"
        rows.append([fake.uscc("450206"), name, f"柳州市柳江区拉堡镇{n + 1}号", "2021-01-01", "存续"])
    suggestion = suggest_source(write_csv(root / "农业主体.csv", rows, "utf-8"), name="farms", today=TODAY)
    mapped = {item.field: item.column for item in suggestion.fields if item.column}
    assert suggestion.source.record_type == "entity" and mapped.get("name") == "企业名称", mapped
    assert mapped.get("address") == "住所", mapped
    # ... while an address only holding such a word (果园路, 茶园小区, 产业基地A栋) stays an address
    from zhizhi.sources.suggest.evidence import is_organisation

    addresses = ["柳州市鱼峰区果园路12号", "柳南区航鹰大道茶园小区5栋", "柳北区电商产业基地A栋301"]
    assert not any(map(is_organisation, addresses))


def test_cli_suggest_takes_the_delimiter_when_the_guess_would_be_wrong(root: Path, tmp_path: Path) -> None:
    """A file delimited by `|` whose texts hold commas: the delimiter is given, written to the source and used."""
    path = tmp_path / "dengji.txt"
    rows = ["统一社会信用代码|企业名称|住所", *(f"{code}|柳州市某某商行{n}|柳州市城中区公园路{n}号,一楼" for n, code in
                                         enumerate(("91450200MA5K3CWH7X", "92450202MA5L0KX99H")))]  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, _, err = zz(root, "sources", "suggest", str(path), "--name", "dengji", "--department", "LZ",
                      "--delimiter", "|", "--record-type", "entity")  # fmt: skip
    assert code == 0, err
    source = load_source(root, "dengji")
    assert source.delimiter == "|" and source.fields["uscc"].column == "统一社会信用代码"
