"""Delivery: each accepted record to every platform that takes it, in its fields and codes, with proof."""

from pathlib import Path

from zhizhi.delivery.outbox import Outbox
from zhizhi.delivery.targets import FILES, TargetConfig, subscribed
from zhizhi.delivery.wake import owed


def load_target(root: Path, name: str) -> TargetConfig:
    """The target `name` of the workspace at `root`."""
    return FILES.load(root, name)


def load_targets(root: Path) -> list[TargetConfig]:
    """Every target file of the workspace."""
    return [FILES.load(root, name) for name in FILES.names(root)]


__all__ = ["Outbox", "TargetConfig", "load_target", "load_targets", "owed", "subscribed"]
