"""Hotline bench on the demo city's month: tickets whose wordings, businesses and truth were written apart from the
generated months of `bench/hotline.py` (`zhizhi.demo.tickets`: each ticket keeps the grievance it was written for).

The month is made again from a demo workspace (`zhizhi demo DIR --no-serve`, the day it was built given), then
scored as `bench/hotline.py --by-ticket` scores a generated month: each ticket, in the order received, against the
earlier ones, joining the best case at or above the merge threshold. Pairwise precision and recall of "same
grievance" are printed, with the share left for a handler; `--own-caller-only` lets only the same caller's tickets
merge on their own (`hotline.merge_other_callers: false`).

    zhizhi demo demo-city --no-serve
    python bench/hotline_demo.py demo-city --built 2026-12-06
    python bench/hotline_demo.py demo-city --built 2026-12-06 --merge-at 0.9 --own-caller-only
    python bench/hotline_demo.py demo-city --built 2026-12-06 --write-csv demo.csv   # for bench/hotline.py --labelled
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
from datetime import date
from pathlib import Path

from zhizhi.config import load_workspace
from zhizhi.demo.desk import demo_month
from zhizhi.demo.tickets import Ticket
from zhizhi.hotline.similar import Candidate, TicketIndex, TicketText
from zhizhi.hotline.take import OWN
from zhizhi.store.engine import make_engine, make_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hotline import Clusters, scores  # noqa: E402


def as_text(row: int, ticket: Ticket, case: int | None = None) -> TicketText:
    return TicketText(row, ticket.text, ticket.phone, ticket.caller, ticket.respondent or None,
                      respondent_uscc=ticket.uscc or None, received=ticket.received.date(), case_id=case,
                      problem_category=ticket.problem or None, goods_category=ticket.goods or None,
                      place=ticket.place or None)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workspace", type=Path, help="a demo workspace (zhizhi demo DIR --no-serve)")
    parser.add_argument("--built", type=date.fromisoformat, required=True, help="the day the demo was built")
    parser.add_argument("--merge-at", type=float, default=0.85)
    parser.add_argument("--review-at", type=float, default=0.3)
    parser.add_argument("--own-caller-only", action="store_true", help="only the same caller's tickets merge")
    parser.add_argument("--write-csv", type=Path, help="write the month as a labelled month and stop")
    args = parser.parse_args()
    workspace = load_workspace(args.workspace)
    with make_sessionmaker(make_engine(workspace.database_url))() as session:
        month = demo_month(session, args.workspace, args.built)
    tickets = sorted(month.tickets, key=lambda t: (t.received, t.number))
    if args.write_csv:
        with args.write_csv.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["received", "text", "case", "phone", "caller", "respondent", "problem", "goods", "place",
                             "channel"])  # fmt: skip
            writer.writerows([t.received.isoformat(sep=" "), t.text, t.grievance, t.phone, t.caller, t.respondent,
                              t.problem, t.goods, t.place, t.channel] for t in tickets)  # fmt: skip
        print(f"{args.write_csv}: {len(tickets)} tickets")
        return
    merged, index, review = Clusters(len(tickets)), TicketIndex(), 0

    def weighed(c: Candidate) -> Candidate:
        held = args.own_caller_only and not OWN & set(c.reasons)
        return dataclasses.replace(c, score=min(c.score, args.review_at)) if held else c

    for row, ticket in enumerate(tickets):
        best: dict[int, float] = {}
        for c in map(weighed, index.candidates(as_text(row, ticket), limit=10, floor=args.review_at)):
            case = merged.find(c.ticket_id)
            best[case] = max(best.get(case, 0.0), c.score)
        case, score = max(best.items(), key=lambda item: item[1], default=(-1, 0.0))
        if score >= args.merge_at:
            merged.union(row, case)
        elif score >= args.review_at:
            review += 1
        index.add(as_text(row, ticket, merged.find(row)))
    truth, first = Clusters(len(tickets)), dict[int, int]()
    for row, ticket in enumerate(tickets):
        truth.union(row, first.setdefault(ticket.grievance, row))
    precision, recall = scores(merged.pairs(), truth.pairs())
    print(f"demo month built {args.built}: {len(tickets)} tickets, {len(truth.pairs())} true pairs, "
          f"{len(merged.pairs())} merged; merge at {args.merge_at}"
          f"{', the same caller only' if args.own_caller_only else ''}: precision {precision:.3f}, "
          f"recall {recall:.3f}, left for a handler {review / len(tickets):.1%}")  # fmt: skip


if __name__ == "__main__":
    main()
