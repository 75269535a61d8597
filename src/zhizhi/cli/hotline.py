"""`zhizhi hotline`: the desk's index at the terminal: the earlier tickets a new text may join (`check`), and the desk
measured (`evaluate`) and its weights fitted (`fit`) on a bureau's own labelled month, from a file or the store."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer
import yaml

from zhizhi.cli.cases import Since, Until, desk_period
from zhizhi.cli.common import JsonOption, Table, console, emit, operator, transaction, workspace_of
from zhizhi.hotline import (
    LabelledTicket,
    TicketText,
    evaluate,
    fit,
    labelled_month,
    labelled_tickets,
    read_labelled,
    settings_to_measure,
)
from zhizhi.hotline.history import index_candidates
from zhizhi.progress.terminal import TerminalProgress
from zhizhi.store.types import local_today

hotline_app = typer.Typer(help="The hotline desk: similar tickets for a text; the desk measured and fitted on a month.",
                          no_args_is_help=True)  # fmt: skip
LabelledFile = typer.Argument(
    None, help="A labelled month (CSV), as `zhizhi cases export-labelled` writes it; none: the store's period."
)


@hotline_app.command("check")
def check_command(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="The new ticket's text."),
    phone: str | None = typer.Option(None, "--phone"),
    name: str | None = typer.Option(None, "--name", help="The caller's name."),
    respondent: str | None = typer.Option(None, "--respondent"),
    received: datetime | None = typer.Option(None, "--received", formats=["%Y-%m-%d"], help="Default: today."),
    limit: int = typer.Option(10, "--limit", min=1, max=100),
    floor: float = typer.Option(0.05, "--floor", min=0.0, max=1.0, help="Show candidates scoring at least this."),
    as_json: bool = JsonOption,
) -> None:
    """The earlier tickets (and their cases) a new text may join, each with its score and reasons."""
    if len(text) > 4000:
        raise typer.BadParameter(f"the text is {len(text)} characters; at most 4000")
    ticket = TicketText(
        id=-1,
        text=text,
        phone=phone,
        caller_name=name,
        respondent=respondent,
        received=received.date() if received else local_today(),
    )
    with transaction(ctx) as (workspace, session):
        rows = index_candidates(session, ticket, workspace.config.hotline, limit=limit, floor=floor)

    def show() -> None:
        table = Table("案件 case", "工单 ticket", "分数 score", "文本相似 text", "理由 reasons")
        for r in rows:
            table.add_row(r["case"] or "", r["ticket"], f"{r['score']:.2f}", f"{r['text_similarity']:.2f}",
                          "；".join(r["reasons"]))  # fmt: skip
        console.print(table if rows else "没有相似的工单 no similar tickets")

    emit(rows, as_json, show)


MAX_SETTINGS = 10


class Callers(StrEnum):
    """Which setting of `hotline.merge_other_callers` to measure."""

    workspace = "workspace"
    yes = "yes"
    no = "no"
    both = "both"


@hotline_app.command("evaluate")
def evaluate_command(
    ctx: typer.Context,
    file: Path | None = LabelledFile,
    since: datetime | None = Since,
    until: datetime | None = Until,
    merge_at: list[float] = typer.Option(  # noqa: B008 - typer's way to declare a repeatable option
        [], "--merge-at", min=0.01, max=1.0, help="A merge threshold to measure (repeatable); default: the workspace's."
    ),
    other_callers: Callers = typer.Option(
        Callers.workspace, "--other-callers", help="hotline.merge_other_callers to measure: yes, no or both."
    ),
    as_json: bool = JsonOption,
) -> None:
    """The desk's automatic merges measured on a bureau's own month (a labelled file, or the cases received in a
    period as the handlers left them): each setting replays the tickets in the order received and is compared with
    their cases, beside the same-phone baseline."""
    if len(set(merge_at)) > MAX_SETTINGS:
        raise typer.BadParameter(f"at most {MAX_SETTINGS} thresholds (each replays the month)", param_hint="--merge-at")
    base = workspace_of(ctx).config.hotline
    month, name = _labelled(ctx, file, since, until)
    others = {Callers.workspace: [base.merge_other_callers], Callers.yes: [True], Callers.no: [False],
              Callers.both: [True, False]}[other_callers]  # fmt: skip
    settings = settings_to_measure(base, merge_at, others)
    with (
        TerminalProgress(console, transient=True, quiet=as_json) as progress,
        progress.task("progress.evaluate", total=len(month) * len(settings), unit="tickets", file=name) as task,
    ):
        result = evaluate(month, settings, task).as_dict() | {"file": str(file or ""), "period": name}

    def show() -> None:
        labels = ", ".join(f"{how} {count}" for how, count in result["labels_by_how"].items())
        console.print(f"{name}: {result['tickets']} 张工单 tickets, {result['cases']} 件案件 cases, "
                      f"{result['true_pairs']} 对同案工单 pairs of one case (标签来源 labels: {labels})")  # fmt: skip
        table = Table("设置 setting", "自动并案 merged", "精确率 precision", "召回率 recall", "同一来电人 same caller",
                      "他人 other callers", "待确认 for a handler", "首选正确 first shown right")  # fmt: skip
        for m in result["measures"]:
            who = "含他人 all" if m["merge_other_callers"] else "仅本人 own"
            table.add_row(f"{m['merge_at']:.2f} {who}", str(m["merged"]), _ratio(m["precision"]), _ratio(m["recall"]),
                          _ratio(m["recall_same_caller"]), _ratio(m["recall_other_callers"]),
                          f"{m['review_share']:.1%}", _ratio(m["review_right"]))  # fmt: skip
        table.add_row("同一电话 same phone", "", _ratio(result["baseline_precision"]),
                      _ratio(result["baseline_recall"]), "", "", "", "")  # fmt: skip
        console.print(table)
        console.print("含他人 all / 仅本人 own: hotline.merge_other_callers 为 true / false")
        if result["labels_by_how"].get("merged"):
            console.print("注意：标注为 merged 的工单是系统自动并案、未经人工复核的结果，以其为准会高估精确率。"
                          " Note: tickets labelled `merged` joined on their own and were never reviewed; taking them"
                          " as the truth flatters the desk.")  # fmt: skip

    emit(result, as_json, show)


def _labelled(
    ctx: typer.Context, file: Path | None, since: datetime | None, until: datetime | None
) -> tuple[list[LabelledTicket], str]:
    """A labelled month from `file`, or else the cases received from `since` through `until` (the last 30 days by
    default) as the handlers left them; and what to call it."""
    if file is not None:
        if since or until:
            raise typer.BadParameter("give a FILE or --since/--until, not both")
        return read_labelled(file), file.name
    start, end = desk_period(since, until)
    with transaction(ctx) as (_, session):
        rows = labelled_month(session, operator(), since=start, until=end)
    return labelled_tickets(enumerate(rows, start=1)), f"{start} – {end}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@hotline_app.command("fit")
def fit_command(
    ctx: typer.Context,
    file: Path | None = LabelledFile,
    since: datetime | None = Since,
    until: datetime | None = Until,
    as_json: bool = JsonOption,
) -> None:
    """The desk's pair weights fitted on a bureau's own labelled month (a file, or a period's cases as the handlers
    left them), judged first on the half of its cases a half-month fit never saw; printed as `hotline.weights` for
    zhizhi.yaml (nothing is written)."""
    settings = workspace_of(ctx).config.hotline
    month, name = _labelled(ctx, file, since, until)
    with (
        TerminalProgress(console, transient=True, quiet=as_json) as progress,
        progress.task("progress.fit", total=None, unit="tickets", file=name) as task,
    ):
        fitted = fit(month, settings, task)
    weights = fitted.as_config().model_dump()
    held = [asdict(m) for m in fitted.held_out] if fitted.held_out else None
    result = {"file": str(file or ""), "period": name, "pairs": fitted.pairs, "same_case": fitted.same_case,
              "dropped": list(fitted.dropped), "held_out": held, "weights": weights}  # fmt: skip

    def show() -> None:
        console.print(f"{name}: {fitted.pairs} 对比较 pairs compared, {fitted.same_case} 对同案 of one case; "
                      f"未采用 left at 0 (wrong direction): {', '.join(fitted.dropped) or '—'}")  # fmt: skip
        if held:
            table = Table("留出的一半案件 held-out half", "精确率 precision", "召回率 recall", "待确认 for a handler")
            for label, m in zip(("现有权重 current", "新权重 fitted"), held, strict=True):
                table.add_row(label, _ratio(m["precision"]), _ratio(m["recall"]), f"{m['review_share']:.1%}")
            console.print(table)
        console.print("写入 zhizhi.yaml 的 hotline 下 / put under `hotline:` in zhizhi.yaml:")
        console.print(yaml.safe_dump({"weights": weights}, allow_unicode=True, sort_keys=False), markup=False)

    emit(result, as_json, show)
