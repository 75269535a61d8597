"""Tasks across departments (跨部门任务): a lead department (牵头) and parts, each owned by a department (and perhaps
a named person), with a deadline in working days or a date and the evidence it needs. A part handed over stays the
giver's until the receiver accepts; overdue parts show to the leaders of both sides; every step is audited.

The front door:
- a task: `read_task_file` / `parse_task` (YAML, Excel or JSON into a checked `TaskSpec`), `create_task`,
  `get_task`, `list_tasks`, `task_of` (a part's task);
- a part's steps: `get_part`, `assign`, `hand_over`, `accept`, `decline`, `withdraw`, `add_evidence`, `finish`,
  `read_evidence` (audited) and `evidence_place` (its task and part, nothing read) (an `Upload` is a file given as
  evidence; `too_big` refuses one over the limit);
- what is shown: `task_rows`, `task_view`, `overdue_parts` (and `count_overdue`), `shown_evidence` (a piece of
  evidence's name and text, masked for the task's other parties).
"""

from zhizhi.tasks.evidence import MAX_FILE_BYTES, MAX_FILES, MAX_TEXT, Upload, too_big
from zhizhi.tasks.parts import (
    MAX_REASON,
    accept,
    add_evidence,
    assign,
    decline,
    evidence_place,
    finish,
    get_part,
    hand_over,
    read_evidence,
    withdraw,
)
from zhizhi.tasks.spec import PartSpec, TaskSpec, parse_task, read_task_bytes, read_task_file
from zhizhi.tasks.tasks import MAX_NUMBER, STATES, create_task, get_task, list_tasks, task_of
from zhizhi.tasks.views import count_overdue, overdue_parts, shown_evidence, task_rows, task_view

__all__ = [
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_NUMBER",
    "MAX_REASON",
    "MAX_TEXT",
    "STATES",
    "PartSpec",
    "TaskSpec",
    "Upload",
    "accept",
    "add_evidence",
    "assign",
    "count_overdue",
    "create_task",
    "decline",
    "finish",
    "get_part",
    "get_task",
    "hand_over",
    "list_tasks",
    "overdue_parts",
    "parse_task",
    "evidence_place",
    "read_evidence",
    "read_task_bytes",
    "read_task_file",
    "shown_evidence",
    "task_of",
    "task_rows",
    "task_view",
    "too_big",
    "withdraw",
]
