"""`python -m zhizhi`: the same as the `zhizhi` command."""

from zhizhi.cli.main import run

run()
