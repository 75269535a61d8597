"""The hotline desk: tickets of 12315, 12345 and the web form merged into cases, routed, on the legal clocks, and
answered once to every ticket through the outbox.

The front door:
- cases: `take_in` (tickets no case holds yet into cases, a batch at a time; `DeskChore` does it in the worker),
  `get_case`, `list_cases`, `open_suggestions`, `confirm` / `keep_apart` (a suggestion), `merge_cases`, `split`
  (undo), `assign`, `decide`, `pause`, `resume`, `extend`, `mark` (the days of `STEPS`), `clocks`;
- what the desk shows: `case_view` (identities by the desk's privacy rule), `case_row`, `suggestion_row`,
  `statistics`, `lookup` (the citizen's page);
- intake beside files: `push_tickets` (a platform's push), `web_ticket` (the public form);
- the legal clocks and the calendar: `load_calendar`, `clock`, `deadline`, `RULES`;
- similar tickets: `TicketIndex`, `TicketText`; the lists a text is read with: `Words`, `words_of` (a workspace's
  `hotline.words` added);
- measuring the desk on a bureau's own month: `labelled_month` (rows of `LABELLED_COLUMNS`, callers as pseudonyms),
  `labelled_csv` (written as CSV), `read_labelled` (such a file read back, `labelled_tickets` rows read),
  `evaluate` (the month replayed under settings: `Evaluation`, `Measure`; `settings_to_measure`), `fit` (the pair
  weights fitted on it: `Fitted`; a workspace's weights: `weights_of`).
"""

from zhizhi.hotline.candidate import Candidate, TicketText
from zhizhi.hotline.case_clocks import STEPS, clock_states, clocks, extend, mark, pause, resume
from zhizhi.hotline.cases import (
    ALLOWED,
    NOT_ACCEPTED_REASONS,
    STAGES,
    assign,
    decide,
    get_case,
    list_cases,
    merge_cases,
    sees,
    split,
)
from zhizhi.hotline.chore import DeskChore
from zhizhi.hotline.clocks import RULES, Clock, ClockState, Pause, Rule, clock, deadline, elapsed, remaining
from zhizhi.hotline.evidence import Weights, weights_of
from zhizhi.hotline.figures import STATISTICS_DAYS, statistics
from zhizhi.hotline.fit import Fitted, fit
from zhizhi.hotline.intake import check_desk, push_tickets, web_ticket
from zhizhi.hotline.labelled import COLUMNS as LABELLED_COLUMNS
from zhizhi.hotline.labelled import LabelledTicket, labelled_csv, labelled_month, labelled_tickets, read_labelled
from zhizhi.hotline.measure import Evaluation, Measure, evaluate, settings_to_measure
from zhizhi.hotline.similar import TicketIndex
from zhizhi.hotline.suggestions import confirm, keep_apart, open_suggestions
from zhizhi.hotline.take import Intake, take_in
from zhizhi.hotline.topics import Words, words_of
from zhizhi.hotline.views import (
    Lookup,
    case_row,
    case_view,
    entity_cases,
    lookup,
    may_see_identity,
    suggestion_row,
)
from zhizhi.hotline.workdays import UnknownYearError, WorkCalendar, load_calendar, parse_year

__all__ = [
    "ALLOWED",
    "LABELLED_COLUMNS",
    "NOT_ACCEPTED_REASONS",
    "RULES",
    "STAGES",
    "STEPS",
    "Candidate",
    "Clock",
    "DeskChore",
    "ClockState",
    "Evaluation",
    "Fitted",
    "Intake",
    "LabelledTicket",
    "Lookup",
    "Measure",
    "Pause",
    "Rule",
    "TicketIndex",
    "TicketText",
    "UnknownYearError",
    "WorkCalendar",
    "Weights",
    "Words",
    "assign",
    "case_row",
    "check_desk",
    "case_view",
    "clock",
    "clock_states",
    "clocks",
    "confirm",
    "deadline",
    "decide",
    "elapsed",
    "entity_cases",
    "evaluate",
    "extend",
    "fit",
    "get_case",
    "keep_apart",
    "labelled_csv",
    "labelled_month",
    "labelled_tickets",
    "list_cases",
    "load_calendar",
    "lookup",
    "mark",
    "may_see_identity",
    "merge_cases",
    "open_suggestions",
    "parse_year",
    "pause",
    "push_tickets",
    "read_labelled",
    "remaining",
    "resume",
    "sees",
    "settings_to_measure",
    "split",
    "statistics",
    "STATISTICS_DAYS",
    "suggestion_row",
    "take_in",
    "web_ticket",
    "weights_of",
    "words_of",
]
