"""The workspace's files turned into validated models."""

from zhizhi.config.files import load_yaml
from zhizhi.config.models import WorkspaceConfig
from zhizhi.config.workspace import (
    CONFIG_FILE,
    DATABASE_ENV,
    WORKSPACE_ENV,
    Workspace,
    init_workspace,
    load_workspace,
    locate_workspace,
    normalize_database_url,
)

__all__ = [
    "CONFIG_FILE",
    "DATABASE_ENV",
    "WORKSPACE_ENV",
    "Workspace",
    "WorkspaceConfig",
    "init_workspace",
    "load_yaml",
    "load_workspace",
    "locate_workspace",
    "normalize_database_url",
]
