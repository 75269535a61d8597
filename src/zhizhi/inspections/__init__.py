"""Random inspections (双随机、一公开): the item list and the two registers (一单两库), seeded draws anyone can
re-check, joint visits entered once and delivered to every department's platform, and publication on the
working-day clock.

The front door:
- the item list: `list_items`, `save_item`, `import_items`, `export_items`;
- the target register: `refresh_targets`, `list_targets`, `get_target`, `import_targets`, `export_targets`;
- the inspector register: `list_inspectors`, `refresh_inspectors`, `set_inspector`, `import_inspectors`,
  `export_inspectors`, `declare_relation`;
- plans and draws: `PlanRules`, `parse_rules`, `create_plan`, `run_draw`, `get_draw`, `verify_draw`,
  `export_package`, `verify_package`, `staff` (a staffing draw of the firms a draw left unstaffed; `staff_visit`,
  of one visit's firm), `staffing_as_dict`;
- visits: `list_visits`, `get_visit`, `visit_view`, `assign` (a day, a drawn replacement, a merge),
  `entity_results` (the entity page's list);
- results at the site: `record_results` with a `Finding` per item (records delivered per department),
  `add_photo` (location taken out unless kept), `photo_file`;
- publication: `publication_view` (the clock and the breach list), `publish`, `deadline`, `clock`;
- workload in numbers: `workload_counts` (per office and inspector: draws, visits, open items), `Workload`,
  `WorkloadCounts`.
"""

from zhizhi.inspections.draws import get_draw, run_draw, staff, staff_visit, staffing_as_dict
from zhizhi.inspections.inspectors import (
    declare_relation,
    export_inspectors,
    import_inspectors,
    list_inspectors,
    refresh_inspectors,
    set_inspector,
)
from zhizhi.inspections.items import export_items, import_items, list_items, save_item
from zhizhi.inspections.photos import add_photo, photo_file
from zhizhi.inspections.plans import PlanRules, create_plan, parse_rules
from zhizhi.inspections.publication import clock, deadline, publication_view, publish
from zhizhi.inspections.results import Finding, record_results
from zhizhi.inspections.target_files import export_targets, import_targets
from zhizhi.inspections.targets import get_target, list_targets, refresh_targets
from zhizhi.inspections.verify import Verification, export_package, verify_draw, verify_package
from zhizhi.inspections.views import visit_view
from zhizhi.inspections.visits import assign, entity_results, get_visit, list_visits
from zhizhi.inspections.workload import Workload, WorkloadCounts, workload_counts

__all__ = [
    "Finding",
    "PlanRules",
    "Workload",
    "WorkloadCounts",
    "add_photo",
    "assign",
    "clock",
    "create_plan",
    "deadline",
    "declare_relation",
    "entity_results",
    "export_inspectors",
    "export_items",
    "export_package",
    "export_targets",
    "get_draw",
    "get_target",
    "get_visit",
    "import_inspectors",
    "import_items",
    "import_targets",
    "list_inspectors",
    "list_items",
    "list_targets",
    "list_visits",
    "parse_rules",
    "photo_file",
    "publication_view",
    "publish",
    "record_results",
    "refresh_inspectors",
    "refresh_targets",
    "run_draw",
    "save_item",
    "set_inspector",
    "staff",
    "staff_visit",
    "staffing_as_dict",
    "Verification",
    "verify_draw",
    "verify_package",
    "visit_view",
    "workload_counts",
]
