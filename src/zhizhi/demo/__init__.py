"""The synthetic city that `zhizhi demo` builds: a bureau, its people, its code lists, its departments' exports and
the two platforms it delivers to."""

from zhizhi.demo.city import DEMO_PASSWORD, load_demo, load_demo_data
from zhizhi.demo.codes import install_demo_codes
from zhizhi.demo.export import load_export

__all__ = ["DEMO_PASSWORD", "install_demo_codes", "load_demo", "load_demo_data", "load_export"]
