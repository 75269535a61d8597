"""The workspace at a glance: what the home page and `zhizhi status` show."""

from zhizhi.dashboard.overview import overview

__all__ = ["overview"]
