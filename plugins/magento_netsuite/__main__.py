"""``python -m magento_netsuite <command>``: ``check`` verifies a deployment (see :mod:`.check`)."""

from __future__ import annotations

import sys

COMMANDS = {"check": "magento_netsuite.check.__main__"}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        sys.stderr.write(f"usage: python -m magento_netsuite {{{','.join(COMMANDS)}}} [options]\n")
        return 2
    from importlib import import_module

    return int(import_module(COMMANDS[argv[0]]).main(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
