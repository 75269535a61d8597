"""The command line: `zhizhi`, one module per command group."""

import warnings

# pyHanko imports the DSA key type, which `cryptography` marks deprecated: a library's notice about an algorithm
# zhizhi never uses, not something a person at the terminal can act on (seals are ECDSA P-256).
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko(\.|$)")
