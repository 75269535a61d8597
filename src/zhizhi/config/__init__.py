"""The workspace's files turned into validated models."""

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
from zhizhi.config.yamlfile import load_yaml

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
