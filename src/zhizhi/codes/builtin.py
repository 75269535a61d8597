"""The code lists and crosswalk zhizhi ships (see data/README.md for their provenance)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.codes.crosswalks import import_crosswalk
from zhizhi.codes.lists import ListSpec, import_code_list

DATA = Path(str(resources.files("zhizhi.codes") / "data"))

BUILTIN_LISTS = [
    (ListSpec("gbt4754-2017", "国民经济行业分类 GB/T 4754-2017", source="GB/T 4754-2017"), "gbt4754_2017.csv", "2017"),
    (ListSpec("gbt4754-2011", "国民经济行业分类 GB/T 4754-2011", source="GB/T 4754-2011"), "gbt4754_2011.csv", "2011"),
    (
        ListSpec("gbt2260", "行政区划代码 GB/T 2260", source="GB/T 2260, statistics-bureau 2023 edition"),
        "gbt2260.csv",
        "2023",
    ),
]


def install_builtin(session: Session, actor: Actor) -> None:
    """Load the shipped lists and the GB/T 4754 2011 -> 2017 crosswalk; already loaded ones are left as they are."""
    for spec, file_name, version in BUILTIN_LISTS:
        import_code_list(session, actor, DATA / file_name, spec, version=version, builtin=True)
    import_crosswalk(
        session,
        actor,
        DATA / "gbt4754_2011_2017_xwalk.csv",
        name="gbt4754-2011-to-2017",
        from_list="gbt4754-2011",
        to_list="gbt4754-2017",
        version="2017",
        title="GB/T 4754-2011 -> 2017 (Appendix B of GB/T 4754-2017)",
        source="GB/T 4754-2017 Appendix B",
        builtin=True,
    )
