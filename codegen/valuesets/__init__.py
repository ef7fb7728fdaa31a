"""Generate the national value sets (NOS) of the spec store into typed Python modules.

Entry point for ``python -m codegen regen/check``: :func:`generate`. Inputs are every
``nos/*.xml`` (IHE SVS) and ``nos/fhir-json/*.json`` (FHIR R4) file of the store plus two
project data files under ``specs/dmp/``; output is ``<out_root>/valuesets/``: one module per
set or association table, ``_index.py``, ``_bindings.py`` and ``_model.py``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from codegen import paths
from codegen.integrity import sha256_hex
from codegen.provenance import source_stamp
from codegen.valuesets import fhir, svs
from codegen.valuesets.errors import ValueSetSourceError
from codegen.valuesets.names import canonical_name, module_name, url_key
from codegen.valuesets.precedence import PRECEDENCE_FILE, read_precedence
from codegen.valuesets.records import ConceptMapFact, SourceFile, ValueSetFact
from codegen.valuesets.render import environment, header
from codegen.valuesets.systems import SYSTEMS_FILE, SystemTable, read_systems_file

__all__ = ["ValueSetSourceError", "generate", "read_store"]

NOS_DIR = "nos"
FHIR_DIR = "nos/fhir-json"
PACKAGE = "valuesets"
SetFact = ValueSetFact | ConceptMapFact


def _source(store: Path, path: Path) -> tuple[SourceFile, bytes]:
    data = path.read_bytes()
    return SourceFile(path.relative_to(store).as_posix(), sha256_hex(data)), data


def read_store(store: Path, specs_dir: Path | None = None) -> tuple[list[SetFact], SystemTable]:
    """Read every NOS file of ``store``, code systems resolved to OIDs.

    Raises:
        ValueSetSourceError: ``nos/`` is absent or a file cannot be used.
    """
    data_dir = (specs_dir or paths.SPECS_DIR) / "dmp"
    if not (store / NOS_DIR).is_dir():
        raise ValueSetSourceError(f"{store / NOS_DIR} is missing: run `python -m codegen fetch`")
    facts: list[SetFact] = []
    table = SystemTable()
    for path in sorted((store / NOS_DIR).glob("*.xml")):
        source, data = _source(store, path)
        fact = svs.read_svs(data, source)
        facts.append(fact)
        table.add(fact.header.name, fact.header.oid, source.path)
    documents = []
    for path in sorted((store / FHIR_DIR).glob("*.json")):
        source, data = _source(store, path)
        document = fhir.load_json(data, source)
        oid, url = fhir.stated_oid(document), document.get("url")
        if oid and isinstance(url, str):
            table.add(canonical_name(url_key(url)), oid, source.path)
        documents.append((document, source))
    read_systems_file(data_dir / SYSTEMS_FILE, table)
    facts.extend(fhir.read_fhir(document, source, table.resolve) for document, source in documents)
    return facts, table


def _keys(facts: list[SetFact]) -> list[str]:
    # Two files may publish one NOS name (ASS_A11 as SVS and as an older ConceptMap): the
    # newest keeps the plain module name, older ones get their version appended.
    groups: dict[str, list[int]] = defaultdict(list)
    for index, fact in enumerate(facts):
        groups[module_name(fact.header.name)].append(index)
    keys = [""] * len(facts)
    for base, members in groups.items():
        members.sort(key=lambda i: (facts[i].header.date or "", facts[i].header.source.path),
                     reverse=True)
        keys[members[0]] = base
        for index in members[1:]:
            stated = facts[index].header.version or facts[index].header.date or str(index)
            keys[index] = module_name(f"{base}_{stated}")
    return keys


def _data_stamp(path: Path) -> str:
    digest = sha256_hex(path.read_bytes())
    return f"# source: specs/dmp/{path.name} (project data) sha256={digest}\n"


def generate(store: Path, out_root: Path, specs_dir: Path | None = None) -> list[Path]:
    """Write the value-set modules under ``out_root / "valuesets"``, deterministically.

    Args:
        store: the spec store (layout of the public spec set: ``nos/…``).
        out_root: the folder playing ``generated/dmpkit_bindings``.
        specs_dir: the project ``specs/`` folder (default: the checkout's).

    Returns:
        The files written, sorted.

    Raises:
        ValueSetSourceError: a NOS file or a data file cannot be used.
    """
    specs_dir = specs_dir or paths.SPECS_DIR
    facts, table = read_store(store, specs_dir)
    keys = _keys(facts)
    names_by_oid: dict[str, set[str]] = defaultdict(set)
    for fact in facts:
        names_by_oid[fact.header.oid].add(fact.header.name)
    precedence_path = specs_dir / "dmp" / PRECEDENCE_FILE
    bindings, derivations = read_precedence(precedence_path, names_by_oid)

    env = environment()
    files: dict[str, str] = {}
    for key, fact in zip(keys, facts, strict=True):
        template = "valueset_mapping.py.jinja2" if isinstance(fact, ConceptMapFact) \
            else "valueset.py.jinja2"
        stamp = source_stamp(store, [fact.header.source.path])
        files[f"{key}.py"] = env.get_template(template).render(
            header=header(stamp, template), key=key, record=fact)
    entries = sorted(
        (
            {
                "key": key, "name": fact.header.name, "oid": fact.header.oid,
                "version": fact.header.version, "date": fact.header.date,
                "kind": fact.header.kind, "source": fact.header.source.path,
                "count": len(fact.mappings if isinstance(fact, ConceptMapFact) else fact.concepts),
                "is_mapping": isinstance(fact, ConceptMapFact),
            }
            for key, fact in zip(keys, facts, strict=True)
        ),
        key=lambda e: (str(e["name"]), str(e["key"])),
    )
    all_sources = [fact.header.source.path for fact in facts]
    files["_index.py"] = env.get_template("valueset_index.py.jinja2").render(
        header=header(source_stamp(store, all_sources), "valueset_index.py.jinja2"),
        entries=entries)
    data_stamp = _data_stamp(precedence_path) + _data_stamp(specs_dir / "dmp" / SYSTEMS_FILE)
    files["_bindings.py"] = env.get_template("valueset_bindings.py.jinja2").render(
        header=header(data_stamp, "valueset_bindings.py.jinja2"), bindings=bindings,
        derivations=derivations, aliases=sorted(table.aliases, key=lambda a: a.alias))
    files["_model.py"] = env.get_template("valueset_model.py.jinja2").render(
        header=header("", "valueset_model.py.jinja2"))
    files["__init__.py"] = env.get_template("valueset_package.py.jinja2").render(
        header=header("", "valueset_package.py.jinja2"))
    return _write(out_root / PACKAGE, files)


def _write(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.py"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in sorted(files.items()):
        path = folder / name
        encoded = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != encoded:
            path.write_bytes(encoded)
        written.append(path)
    return written
