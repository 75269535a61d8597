"""An .xlsx is a zip: a small upload can unpack to gigabytes. A register's import is refused when its workbook would
unpack past what any export holds (the ingest's rule), before a cell is read, naming the file and the sizes."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.conftest import Web
from tests.inspections.test_registers import _book

UNPACKED = 300 * 1024 * 1024  # 300 MiB of zeros deflate to about 300 KiB


def bomb(book: bytes) -> bytes:
    """The workbook `book` with a member of UNPACKED zero bytes added (written in chunks, never held whole)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        with target.open("xl/media/padding.bin", "w", force_zip64=True) as padding:
            chunk = bytes(1024 * 1024)
            for _ in range(UNPACKED // len(chunk)):
                padding.write(chunk)
    return out.getvalue()


@pytest.fixture(scope="module")
def items_bomb() -> bytes:
    return bomb(_book(["事项编码", "抽查事项", "检查依据", "实施部门"], [["YF-01", "鱼峰区事项", "依据", "LZ-YF"]]))


def test_a_register_import_that_would_unpack_to_hundreds_of_megabytes_is_refused(web: Web, items_bomb: bytes) -> None:
    assert len(items_bomb) < 2 * 1024 * 1024
    web.login_form("registrar")
    csrf = web.page_csrf("/inspections/registers/items")
    refused = web.client.post("/inspections/registers/items/import", data={"csrf_token": csrf},
                              files={"file": ("items.xlsx", items_bomb)}, follow_redirects=False)  # fmt: skip
    assert refused.status_code == 422
    assert "items.xlsx" in refused.text and "解压后" in refused.text
