"""A bureau's own words for what a ticket is about (`hotline.words` in zhizhi.yaml), read beside the built-in lists:
checked when the file loads, used by intake, `zhizhi hotline check` and the statistics, and the desk's index built
again when they change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.hotline.desk import ingest_all, zz
from zhizhi.config import Workspace, load_workspace
from zhizhi.errors import ConfigError
from zhizhi.hotline import Words, take_in, words_of
from zhizhi.hotline.texts import normalise_text
from zhizhi.hotline.topics import BUSINESS_MATTERS, PRODUCTS, WORDS


def _words(workspace: Workspace, words: dict[str, object]) -> Workspace:
    path = workspace.root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["hotline"] = {**config.get("hotline", {}), "words": words}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return load_workspace(workspace.root)


def test_a_bureaus_own_terms_are_read_beside_the_built_in_ones() -> None:
    words = Words.adding(topics={"价格": ["坐地起价"]}, products={"螺蛳粉": ["螺蛳粉", "螺狮粉"]},
                         business_matters={"停业": ["卷铺盖走人"]})  # fmt: skip
    text = normalise_text("老板坐地起价，螺狮粉一碗要30元，现在卷铺盖走人了")
    assert WORDS.read_topics(text) == 0 and WORDS.read_products(text) == 0 and WORDS.read_business_matters(text) == 0
    assert words.main_topic(text) == "价格"
    assert words.read_products(text) == 1 << len(PRODUCTS)  # a new group, after the built-in ones
    assert words.read_business_matters(text) == 1 << [n for n, _ in BUSINESS_MATTERS].index("停业")
    assert words.read_topics(normalise_text("多收了钱")) == WORDS.read_topics(normalise_text("多收了钱"))  # kept


def test_words_under_names_the_desk_does_not_know_are_refused_when_the_file_loads(workspace: Workspace) -> None:
    with pytest.raises(ConfigError) as caught:
        _words(workspace, {"topics": {"价钱": ["坐地起价"]}, "business_matters": {"停业": ["走"]}})
    said = " ".join(caught.value.details)
    assert "价钱" in said and "价格" in said  # the name found, and the names to choose from
    assert "停业" in said and "2-20 characters" in said


def test_intake_and_the_check_read_the_workspaces_words(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    """Another member of the gym that closed says it in words no list has: with them added to the workspace, the
    check (and intake, in the same process) sees one matter of the business itself."""
    ingest_all(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, workspace)
    text = "金力健身房老板卷铺盖走人了，我的卡还剩1500元"
    check = ("hotline", "check", text, "--phone", "13700000009", "--received", "2026-03-12", "--respondent",
             "金力健身房", "--json")  # fmt: skip

    def reasons() -> list[str]:
        code, out = zz(workspace, *check)
        assert code == 0, out
        return [r for row in json.loads(out) for r in row["reasons"]]

    assert "same_business_matter" not in reasons()
    workspace = _words(workspace, {"business_matters": {"停业": ["卷铺盖走人"]}})
    assert words_of(workspace.config.hotline).read_business_matters(normalise_text(text))
    assert "same_business_matter" in reasons()  # the index built again with the new words
