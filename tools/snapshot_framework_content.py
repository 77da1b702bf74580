"""Rewrite ``tests/reference/frameworks/content.json`` from ``crm_research/frameworks/content/*.yaml``.

The file is a *content snapshot*, not a golden number: it holds the framework texts, references,
glossary and comparison table as the package loads them, so that ``tests/test_frameworks.py`` notices
an accidental change (a YAML edit that breaks a text, a lost key).  A deliberate change of content
edits the YAML files, then runs this tool, and the diff of both shows what changed.

    python tools/snapshot_framework_content.py          # rewrite the snapshot
    python tools/snapshot_framework_content.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "reference" / "frameworks" / "content.json"
ABOUT = ("A content snapshot, not a golden number: the framework texts, references, glossary and comparison "
         "table as crm_research loads them from crm_research/frameworks/content/*.yaml (they were Python literals "
         "in crm_research/frameworks/models.py before issue 11). tests/test_frameworks.py checks that the YAML "
         "files load to exactly these objects. A deliberate change of content edits the YAML files and then runs "
         "tools/snapshot_framework_content.py, so the diff of both shows what changed.")


def snapshot_text() -> str:
    sys.path.insert(0, str(ROOT))
    import crm_research as crm
    from crm_research import frameworks as fw

    old = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    content = {
        "_about": ABOUT,
        "frameworks": {key: dataclasses.asdict(f) for key, f in fw.FRAMEWORKS.items()},
        "references": dict(fw.REFERENCES),
        "glossary": crm.glossary().to_dict("records"),
        "comparison": fw.comparison_table("both").reset_index().to_dict("records"),
        "aliases": {name: fw.get_framework(name).key for name in old["aliases"]},
    }
    return json.dumps(content, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the snapshot is current")
    args = parser.parse_args(argv)
    text = snapshot_text()
    if args.check:
        current = SNAPSHOT.read_text(encoding="utf-8") == text
        print("content snapshot is current" if current else "content snapshot is out of date")
        return 0 if current else 1
    SNAPSHOT.write_text(text, encoding="utf-8")
    print(f"wrote {SNAPSHOT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
