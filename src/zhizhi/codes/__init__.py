"""Code lists, their hierarchies, crosswalks between them, translation, the review queue and coverage."""

from zhizhi.codes.builtin import install_builtin
from zhizhi.codes.coverage import coverage_report, get_coverage, list_coverage, save_coverage
from zhizhi.codes.crosswalks import Pair, get_crosswalk, import_crosswalk, list_crosswalks, pairs_in_force
from zhizhi.codes.dropped import dropped_in_use
from zhizhi.codes.files import read_table
from zhizhi.codes.hierarchy import Hierarchy
from zhizhi.codes.lists import (
    FileRefusedError,
    ListSpec,
    get_code_list,
    import_code_list,
    initials,
    list_summaries,
    list_versions,
    load_hierarchy,
    search_codes,
    version_in_force,
)
from zhizhi.codes.review import (
    decide,
    decision_as_dict,
    export_decisions,
    item_as_dict,
    list_decisions,
    list_review_items,
    note_for_review,
)
from zhizhi.codes.translate import FAILURES, Method, Translation, Translator, build_translator

__all__ = [
    "FAILURES",
    "FileRefusedError",
    "Hierarchy",
    "ListSpec",
    "Method",
    "Pair",
    "Translation",
    "Translator",
    "build_translator",
    "coverage_report",
    "decide",
    "decision_as_dict",
    "dropped_in_use",
    "export_decisions",
    "get_code_list",
    "get_coverage",
    "get_crosswalk",
    "import_code_list",
    "import_crosswalk",
    "initials",
    "install_builtin",
    "item_as_dict",
    "list_coverage",
    "list_crosswalks",
    "list_decisions",
    "list_review_items",
    "list_summaries",
    "list_versions",
    "load_hierarchy",
    "note_for_review",
    "pairs_in_force",
    "read_table",
    "save_coverage",
    "search_codes",
    "version_in_force",
]
