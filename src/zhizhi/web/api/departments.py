"""Departments: the tree, scoped to the caller's subtree."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from zhizhi.access import create_department, department_as_dict, get_department, list_departments
from zhizhi.access.departments import CODE_MAX_LENGTH, NAME_MAX_LENGTH
from zhizhi.web.deps import ApiDepartmentsReader, ApiDepartmentsWriter, DbSession, Id

router = APIRouter(prefix="/departments", tags=["departments"])


class NewDepartment(BaseModel):
    code: str = Field(max_length=CODE_MAX_LENGTH)
    name: str = Field(max_length=NAME_MAX_LENGTH)
    kind: str = Field(max_length=16)
    parent_code: str | None = Field(default=None, max_length=CODE_MAX_LENGTH)
    division_code: str | None = Field(default=None, max_length=6)


@router.get("")
def read_departments(db: DbSession, actor: ApiDepartmentsReader) -> list[dict[str, Any]]:
    """Departments in the caller's subtree, in tree order."""
    return [department_as_dict(d) for d in list_departments(db, actor)]


@router.get("/{department_id}")
def read_department(department_id: Id, db: DbSession, actor: ApiDepartmentsReader) -> dict[str, Any]:
    """One department; 404 when outside the caller's subtree."""
    return department_as_dict(get_department(db, actor, department_id))


@router.post("", status_code=201)
def add_department(body: NewDepartment, db: DbSession, actor: ApiDepartmentsWriter) -> dict[str, Any]:
    """Add a department under a parent in the caller's subtree."""
    return department_as_dict(create_department(db, actor, **body.model_dump()))
