"""limitwatch: a terminal monitor for Claude usage limits.

Importing this package must stay cheap: it must not import Textual or httpx.
"""

__version__ = "0.1.0"
