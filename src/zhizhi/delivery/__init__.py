"""Delivery: each accepted record to every platform that takes it, in its fields and codes, with proof."""

from collections.abc import Callable
from pathlib import Path

from zhizhi.delivery.targets import FILES, TargetConfig, subscribed
from zhizhi.sources.config import SourceConfig


def load_target(root: Path, name: str) -> TargetConfig:
    """The target `name` of the workspace at `root`."""
    return FILES.load(root, name)


def load_targets(root: Path) -> list[TargetConfig]:
    """Every target file of the workspace."""
    return [FILES.load(root, name) for name in FILES.names(root)]


def targets_of(root: Path) -> Callable[[SourceConfig], list[str]]:
    """For a source, the names of the workspace's targets that take its records (the files read once)."""
    targets = load_targets(root)
    return lambda source: subscribed(targets, source)


__all__ = ["TargetConfig", "load_target", "load_targets", "subscribed", "targets_of"]
