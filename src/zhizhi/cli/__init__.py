"""The command line: `zhizhi`, one module per command group."""
