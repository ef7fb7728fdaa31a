"""Benchmark the generated bindings; run by hand, prints tables (never asserts timings).

    .venv/bin/python bench/bench_bindings.py [--specs STORE] [--skip-codegen] [--entries 1000]

1. codegen seconds per xsdata run (each run produces the families listed beside it);
2. size, class count and import time of each family (fresh interpreter per family);
3. ITI-18: parse and serialise of a synthetic AdhocQueryResponse with N ExtrinsicObjects
   (built from the structure of ``examples/ihe-xds-b/RegistryStoredQueryResponse.xml``)
   with the generated classes, as a ratio to lxml on the same bytes (lxml parse through
   dmpkit's hardened ``parse_xml``, the only parse path the project allows).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from lxml import etree

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from codegen.paths import GENERATED_ROOT  # noqa: E402
from codegen.xsd import generate_runs, load_families  # noqa: E402
from dmpkit import bindings  # noqa: E402
from dmpkit.specstore import spec_store_dir  # noqa: E402
from dmpkit.xmlparse import XmlLimits, parse_xml  # noqa: E402

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
IMPORT_PROBE = (
    "import importlib, sys, time\n"
    "import xsdata.formats.dataclass.models.generics\n"
    "start = time.perf_counter()\n"
    "importlib.import_module(sys.argv[1])\n"
    "print(time.perf_counter() - start)\n"
)


def _store(option: Path | None) -> Path:
    for folder in (option, spec_store_dir(), REPO_ROOT.parent / "shared" / "specs"):
        if folder is not None and (folder / "catalog.xml").is_file():
            return folder
    raise SystemExit("no spec store: pass --specs")


def bench_codegen(store: Path) -> None:
    print("\n## codegen seconds per xsdata run")
    print(f"{'run':<8} {'seconds':>8}  families")
    runs = load_families()
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        generate_runs(runs, store, Path(tmp), timings)
    for run in runs:
        if run.name in timings:
            families = ", ".join(f.name for f in run.families)
            print(f"{run.name:<8} {timings[run.name]:>8.1f}  {families}")
    print(f"{'total':<8} {sum(timings.values()):>8.1f}")


def bench_families() -> None:
    print("\n## generated families: size, classes, import time (fresh interpreter)")
    print(f"{'family':<10} {'KB':>7} {'classes':>8} {'import s':>9}")
    total_bytes = 0
    names = sorted(family.name for run in load_families() for family in run.families)
    for folder in (GENERATED_ROOT / name for name in names):
        modules = [m for m in folder.glob("*.py") if m.name != "__init__.py"]
        if not modules:
            print(f"{folder.name:<10} (not generated)")
            continue
        size = sum(p.stat().st_size for p in folder.glob("*.py"))
        total_bytes += size
        classes = sum(len(re.findall(r"^class ", m.read_text(encoding="utf-8"), re.MULTILINE))
                      for m in modules)
        result = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE, f"dmpkit_bindings.{folder.name}"],
            capture_output=True, text=True, check=True,
        )
        seconds = float(result.stdout.strip())
        print(f"{folder.name:<10} {size / 1024:>7.0f} {classes:>8} {seconds:>9.3f}")
    print(f"{'total':<10} {total_bytes / 1024:>7.0f} KB")


def synthetic_iti18_response(store: Path, entries: int) -> bytes:
    """An AdhocQueryResponse holding ``entries`` copies of the sample's ExtrinsicObject."""
    sample = parse_xml((store / "examples/ihe-xds-b/RegistryStoredQueryResponse.xml").read_bytes())
    listed = sample.find(f"{{{RIM}}}RegistryObjectList")
    assert listed is not None
    template = listed.find(f"{{{RIM}}}ExtrinsicObject")
    assert template is not None
    template_bytes = etree.tostring(template)
    for child in list(listed):
        listed.remove(child)
    namespace = uuid.UUID("6f1c3e0e-4d52-4f6e-9a34-0d6a1d6f0001")
    for index in range(entries):
        entry = parse_xml(template_bytes)
        entry_id = f"urn:uuid:{uuid.uuid5(namespace, str(index))}"
        old_id = entry.get("id")
        entry.set("id", entry_id)
        for node in entry.iter():
            for name in ("registryObject", "classifiedObject"):
                if node.get(name) == old_id:
                    node.set(name, entry_id)
        listed.append(entry)
    return bytes(etree.tostring(sample, xml_declaration=True, encoding="UTF-8"))


def _best(action: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def bench_iti18(store: Path, entries: int, repeat: int) -> None:
    data = synthetic_iti18_response(store, entries)
    limits = XmlLimits(max_bytes=max(len(data) * 2, 64 * 1024 * 1024))
    tree = parse_xml(data, limits=limits)
    obj = bindings.parse(data, limits=limits)  # warm-up: imports, class metadata
    bindings.serialize(obj)

    lxml_parse = _best(lambda: parse_xml(data, limits=limits), repeat)
    bound_parse = _best(lambda: bindings.parse(data, limits=limits), repeat)
    lxml_write = _best(lambda: etree.tostring(tree), repeat)
    bound_write = _best(lambda: bindings.serialize(obj), repeat)
    print(f"\n## ITI-18 response, {entries} ExtrinsicObjects, {len(data) / 1e6:.1f} MB "
          f"(best of {repeat})")
    print(f"{'step':<10} {'lxml s':>8} {'bindings s':>11} {'ratio':>7}")
    print(f"{'parse':<10} {lxml_parse:>8.3f} {bound_parse:>11.3f} "
          f"{bound_parse / lxml_parse:>6.1f}x")
    print(f"{'serialise':<10} {lxml_write:>8.3f} {bound_write:>11.3f} "
          f"{bound_write / lxml_write:>6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", type=Path, default=None)
    parser.add_argument("--skip-codegen", action="store_true")
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    store = _store(args.specs)
    if not args.skip_codegen:
        bench_codegen(store)
    bench_families()
    bench_iti18(store, args.entries, args.repeat)


if __name__ == "__main__":
    main()
