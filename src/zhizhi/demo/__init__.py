"""The synthetic city that `zhizhi demo` builds: a bureau, its departments and its people."""

from zhizhi.demo.city import DEMO_PASSWORD, load_demo

__all__ = ["DEMO_PASSWORD", "load_demo"]
