"""Jobs started from pages: `POST /batches/upload` (a steward ingests a department's export from the batches page)
and `GET /jobs/{job_id}`, the page that follows a job (`zhizhi.web.progress_view`).

An uploaded file is saved under the workspace (`data/uploads/`, at most `web.upload_max_mb`), then ingested as
`zhizhi ingest SOURCE FILE` would, in a job of its own: its page shows the line (rows read of about how many, the
time left) until the batch is written, then links to it. The saved file is removed once ingested; the batch keeps
every row.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.access import Actor
from zhizhi.delivery import Outbox
from zhizhi.errors import InputError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.read.registry import reader_for
from zhizhi.ingest.warm import warm_up
from zhizhi.progress import Job, text_rows
from zhizhi.sources import load_source
from zhizhi.web import progress_view
from zhizhi.web.deps import FormDataWriter, app_context
from zhizhi.web.progress_view import JOB_ID_LENGTH, ReadingPageGuard
from zhizhi.web.templating import render

router = APIRouter()
UPLOADS = FilePath("data") / "uploads"
_UNSAFE = re.compile(r"[^\w.\-()（）\u3000-\u9fff]+")
BLOCK = 1 << 20


@router.post("/batches/upload")
def upload_batch(
    request: Request,
    actor: FormDataWriter,
    source: Annotated[str, Form(max_length=100)] = "",
    file: UploadFile | None = None,
) -> Response:
    """Save the file and start its ingest; its page follows it."""
    context = app_context(request)
    root, limit = context.workspace.root, context.workspace.config.web.upload_max_mb
    if file is None or not file.filename:
        raise InputError("Choose the file to ingest.", zh="请选择要导入的文件。")
    config = load_source(root, source.strip())  # an unknown source: 404 with the sources there are
    name = _safe_name(file.filename)
    if not reader_for(FilePath(name), config.reader).needs_file:
        raise InputError(
            f"Source `{config.name}` fetches its rows itself ({config.reader}): run `zhizhi ingest {config.name}`.",
            zh=f"数据源 `{config.name}` 自行抓取数据（{config.reader}），请运行 `zhizhi ingest {config.name}`。",
        )
    path = _save(file, root / UPLOADS / secrets.token_hex(8) / name, limit)

    def work(job: Job) -> str:
        try:
            warm_up(config, path)
            with job.task("progress.ingest", total=text_rows(path), unit="rows", file=name) as task:
                with context.sessions() as session, session.begin():
                    done = ingest_file(session, actor, config, path, progress=task.update, outbox=Outbox.of(root))
                    batch = done.batch.id
            return f"/batches/{batch}"
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)

    return RedirectResponse(f"/jobs/{progress_view.start(request, actor, '/batches', work)}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def show_job(
    request: Request,
    actor: Annotated[Actor, Depends(ReadingPageGuard("workspace.read"))],
    job_id: Annotated[str, Path(max_length=JOB_ID_LENGTH)],
) -> Response:
    """A job the visitor started: its line, kept up to date while it runs, then the link to what it made."""
    job = progress_view.job_line(request, actor, job_id)
    if job is None:
        raise progress_view.no_job(job_id)
    return render(request, "job.html", {"job": job})


def _safe_name(given: str) -> str:
    """The file's own name, without folders or characters a file system may refuse (Chinese kept)."""
    name = _UNSAFE.sub("_", FilePath(given.replace("\\", "/")).name).strip("._") or "upload"
    return name[-120:]


def _save(file: UploadFile, path: FilePath, limit_mb: int) -> FilePath:
    """Copy the upload to `path`, refusing it whole past `limit_mb`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("wb") as out:
        while block := file.file.read(BLOCK):
            written += len(block)
            if written > limit_mb * BLOCK:
                out.close()
                shutil.rmtree(path.parent, ignore_errors=True)
                raise InputError(
                    f"File `{path.name}` is larger than {limit_mb} MB (`web.upload_max_mb`): split it, or ingest it "
                    f"with `zhizhi ingest SOURCE FILE` on the server.",
                    zh=f"文件 `{path.name}` 超过 {limit_mb} MB（web.upload_max_mb）：请拆分，或在服务器上用 "
                    "`zhizhi ingest 数据源 文件` 导入。",
                )
            out.write(block)
    return path
