"""Workload in numbers (工作量): per office and per person, month by month, the hotline cases and task parts in hand,
overdue parts and random inspections' draws, visits and open items, against the office's staff and capacity; where
the load exceeds the capacity shows first. Exported to Excel; the work items are one SQL selectable the reports read.

The front door:
- capacity: `set_capacity` (staff and items per person; set by the level above), `capacities`, `may_set`,
  `settable` (the offices an actor sets);
- figures: `months` (the months to show), `workload` (a leader's view of their subtree), `write_workload_xlsx`;
- for reports: `work_items` (cases, parts and capacities as rows).
"""

from zhizhi.workload.capacity import capacities, may_set, set_capacity, settable
from zhizhi.workload.export import write_workload_xlsx
from zhizhi.workload.figures import IN_LOAD, MAX_MONTHS, MEASURES, months, workload
from zhizhi.workload.items import work_items

__all__ = [
    "IN_LOAD",
    "MAX_MONTHS",
    "MEASURES",
    "capacities",
    "may_set",
    "months",
    "set_capacity",
    "settable",
    "work_items",
    "workload",
    "write_workload_xlsx",
]
