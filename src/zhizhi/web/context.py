"""What every request needs from the running app: the workspace and the store."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.config import Workspace


@dataclass(frozen=True)
class AppContext:
    """The workspace and store the app serves."""

    workspace: Workspace
    engine: Engine
    sessions: sessionmaker[Session]
