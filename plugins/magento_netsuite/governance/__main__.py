"""CLI: ``python -m magento_netsuite.governance {check,render,tables}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from magento_netsuite.config import MAPPINGS_DIR
from magento_netsuite.governance.errors import MappingDocumentError
from magento_netsuite.governance.loader import load_mapping_document
from magento_netsuite.governance.render import ownership_tables, render_document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m magento_netsuite.governance")
    parser.add_argument("--mappings", type=Path, default=MAPPINGS_DIR, help="mapping document directory")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="validate the mapping document")
    render = commands.add_parser("render", help="render the document as Markdown")
    render.add_argument("--out", type=Path, help="write here instead of stdout")
    tables = commands.add_parser("tables", help="print the ownership table per flow")
    tables.add_argument("--flow", help="only this flow")
    args = parser.parse_args(argv)
    try:
        doc = load_mapping_document(args.mappings)
    except MappingDocumentError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    if args.command == "check":
        fields = sum(len(e.fields) for e in doc.entities.values())
        sys.stdout.write(
            f"mapping document OK: {len(doc.entities)} entities, {fields} fields, "
            f"{len(doc.flows)} flows, {len(doc.value_maps)} value maps\n"
        )
    elif args.command == "render":
        text = render_document(doc)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {args.out}\n")
        else:
            sys.stdout.write(text)
    else:
        try:
            sys.stdout.write(ownership_tables(doc, args.flow))
        except KeyError as exc:
            sys.stderr.write(f"{exc.args[0]}\n")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
