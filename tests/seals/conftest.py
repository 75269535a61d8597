"""A workspace with a seal authority and two departments' seals, made once per module on a copy of the demo city."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import OPERATOR
from zhizhi.pdf import report_pdf
from zhizhi.seals import SealCertificate, issue_seal
from zhizhi.store import make_engine, make_sessionmaker

BUREAU = "柳州市市场监督管理局"


@dataclass
class Sealed:
    keys_dir: Path
    bureau: SealCertificate
    section: SealCertificate
    report: bytes


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory, sqlite_templates: dict[str, Path]) -> Iterator[Sealed]:
    root = tmp_path_factory.mktemp("seals")
    shutil.copyfile(sqlite_templates["city"], root / "city.db")
    engine = make_engine(f"sqlite:///{root / 'city.db'}")
    keys_dir = root / "keys"
    keys_dir.mkdir(mode=0o700)
    with make_sessionmaker(engine)() as session, session.begin():
        bureau = issue_seal(session, OPERATOR, keys_dir, "LZ", bureau=BUREAU)
        section = issue_seal(session, OPERATOR, keys_dir, "LZ-DJ", bureau=BUREAU)
    engine.dispose()
    report = report_pdf("市场主体统计月报", ["2026年11月"], [("按县区", ["县区", "新设"], [["城中区", 12]])], "智治")
    yield Sealed(keys_dir, bureau, section, report)
