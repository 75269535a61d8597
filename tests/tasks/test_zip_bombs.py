"""A task file is refused when its workbook would unpack past what a task's workbook holds (a zip bomb), before a
cell is read, naming the file and the sizes."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.conftest import Web
from tests.inspections.test_zip_bombs import bomb
from tests.tasks.helpers import make_tasks


def test_a_task_file_that_would_unpack_to_hundreds_of_megabytes_is_refused(web: Web) -> None:
    with web.sessions() as session, session.begin():
        make_tasks(session)
    book = Workbook()
    task = book.active
    assert task is not None
    task.title = "任务"
    task.append(["标题", "整治"])
    task.append(["牵头部门", "LZ-SP"])
    book.create_sheet("分工").append(["部门", "内容", "期限"])
    plain = io.BytesIO()
    book.save(plain)
    data = bomb(plain.getvalue())
    assert len(data) < 2 * 1024 * 1024  # within a task file's 2 MiB
    web.login_form("sp_leader")
    csrf = web.page_csrf("/tasks")
    refused = web.client.post("/tasks", data={"csrf_token": csrf}, files={"file": ("任务.xlsx", data)},
                              follow_redirects=False)  # fmt: skip
    assert refused.status_code == 422
    assert "任务.xlsx" in refused.text and "解压后" in refused.text
