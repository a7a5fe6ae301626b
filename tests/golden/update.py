"""Rewrite the golden ``.json`` records from the current extractor.

Run ``python tests/golden/update.py`` after a deliberate extractor change, then review the
diff of every ``.json`` file: a golden record is a claim about what the page says.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

from newsarchive.extract import extract_article, join_pages
from newsarchive.records import Article

HERE = Path(__file__).resolve().parent


def expected_name(file: str) -> str:
    return file.rsplit(".", 1)[0] + ".json"


def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    manifest = tomllib.loads((HERE / "manifest.toml").read_text(encoding="utf-8"))
    urls = {}
    for entry in manifest["page"]:
        result = extract_article(
            (HERE / entry["file"]).read_bytes(), entry["url"], encoding=entry.get("hint")
        )
        urls[entry["file"]] = entry
        dump(HERE / expected_name(entry["file"]), result.to_dict())
        print(f"{entry['file']}: {type(result).__name__}")
    for entry in manifest.get("joined", []):
        records = []
        for file in entry["files"]:
            page = urls[file]
            result = extract_article(
                (HERE / file).read_bytes(), page["url"], encoding=page.get("hint")
            )
            assert isinstance(result, Article), file
            records.append(result)
        dump(HERE / entry["expected"], join_pages(records[0], records[1:]).to_dict())
        print(f"{entry['expected']}: joined {len(records)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
