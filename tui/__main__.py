"""``limitwatch`` / ``python -m tui``: hand argv to the command line (``tui.cli``)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    # `status` and `statusline` (run by Claude Code at every turn) answer and end within
    # seconds, making tens of thousands of objects and no garbage worth a collection: no cycle
    # collector for them (5% of a warm `status`). The commands that run for hours turn it back
    # on as soon as they are known (tui.cli.main).
    gc.disable()
    from tui.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
