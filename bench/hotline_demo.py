"""Hotline bench on the demo city's month: tickets whose wordings, businesses and truth were written apart from the
generated months of `bench/hotline.py` (`zhizhi.demo.tickets`: each ticket keeps the grievance it was written for).

The month is made again from a demo workspace (`zhizhi demo DIR --no-serve`, the day it was built given), then
replayed through the desk's own rule as `zhizhi hotline evaluate` replays a labelled month (`zhizhi.hotline.evaluate`:
each ticket, in the order received, against the earlier ones, joining the best case at or above the merge threshold).
Pairwise precision and recall of "same grievance" are printed, with the share left for a handler and the same-phone
baseline; `--own-caller-only` lets only the same caller's tickets merge on their own
(`hotline.merge_other_callers: false`).

    zhizhi demo demo-city --no-serve
    python bench/hotline_demo.py demo-city --built 2026-12-06
    python bench/hotline_demo.py demo-city --built 2026-12-06 --merge-at 0.9 --own-caller-only
    python bench/hotline_demo.py demo-city --built 2026-12-06 --write-csv demo.csv   # for bench/hotline.py --labelled
"""

from __future__ import annotations

import argparse
import csv
from datetime import date
from pathlib import Path

from zhizhi.config import load_workspace
from zhizhi.demo.desk import demo_month
from zhizhi.hotline import LabelledTicket, TicketText, evaluate
from zhizhi.store.engine import make_engine, make_sessionmaker


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
    labelled = [
        LabelledTicket(row, TicketText(row, t.text, t.phone, t.caller, t.respondent or None,
                                       respondent_uscc=t.uscc or None, received=t.received.date(),
                                       problem_category=t.problem or None, goods_category=t.goods or None,
                                       place=t.place or None), str(t.grievance), "")  # fmt: skip
        for row, t in enumerate(tickets)
    ]
    chosen = {"merge_at": args.merge_at, "review_from": args.review_at, "merge_other_callers": not args.own_caller_only}
    settings = workspace.config.hotline.model_copy(update=chosen)
    result = evaluate(labelled, [settings])
    m = result.measures[0]
    print(f"demo month built {args.built}: {result.tickets} tickets, {result.true_pairs} true pairs, "
          f"{m.pairs_merged} merged; merge at {args.merge_at}"
          f"{', the same caller only' if args.own_caller_only else ''}: precision {m.precision or 0:.3f}, "
          f"recall {m.recall or 0:.3f}, left for a handler {m.review_share:.1%}; the same phone only: precision "
          f"{result.baseline_precision or 0:.3f}, recall {result.baseline_recall or 0:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
