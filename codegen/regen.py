"""``python -m codegen regen``: verify the store against the manifest, then regenerate.

The spec-update workflow is ``diff`` (review what changed upstream), ``regen --accept``
(re-pin the new checksums), then commit the regenerated bindings.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from codegen.check import TreeDifference, compare_trees
from codegen.errors import ChecksumMismatchError, SpecFileMissingError
from codegen.generators import Generator, generate_into
from codegen.manifest import Manifest, load_manifest, record_for_bytes, write_manifest
from codegen.store import Mismatch, sync_tree, verify_store, write_stamp

MAX_NAMED_FILES = 10


def _named(mismatches: list[Mismatch]) -> str:
    shown = "; ".join(m.describe() for m in mismatches[:MAX_NAMED_FILES])
    more = len(mismatches) - MAX_NAMED_FILES
    return shown + (f"; and {more} more" if more > 0 else "")


def verify_or_accept(
    manifest: Manifest, store: Path, specs_dir: Path, *, accept: bool
) -> list[Mismatch]:
    """Check every store file against the manifest; with ``accept``, re-pin changed ones.

    Returns:
        The files accepted (re-pinned in the manifest under ``specs_dir``); empty when the
        store already matched.

    Raises:
        SpecFileMissingError: files are absent from the store (fetch first).
        ChecksumMismatchError: files differ and ``accept`` is False.
    """
    mismatches = verify_store(manifest, store)
    absent = [m for m in mismatches if m.actual == "absent"]
    if absent:
        raise SpecFileMissingError(
            f"{len(absent)} file(s) missing from the spec store {store} (run `python -m codegen "
            f"fetch`): {', '.join(m.path for m in absent[:MAX_NAMED_FILES])}"
        )
    if not mismatches:
        return []
    if not accept:
        raise ChecksumMismatchError(
            f"{len(mismatches)} spec file(s) differ from specs/manifest.toml "
            f"(review with `python -m codegen diff`, then `regen --accept`): {_named(mismatches)}"
        )
    files = dict(manifest.files)
    for mismatch in mismatches:
        files[mismatch.path] = record_for_bytes(files[mismatch.path],
                                                (store / mismatch.path).read_bytes())
    write_manifest(dataclasses.replace(manifest, files=files), specs_dir)
    # The store now matches the re-pinned manifest: stamp it complete for that manifest.
    write_stamp(load_manifest(specs_dir), store)
    return mismatches


def regenerate(store: Path, out_root: Path, generators: list[Generator]) -> TreeDifference:
    """Generate into a temporary folder, then make ``out_root`` match it file by file.

    Returns:
        What changed in ``out_root``.
    """
    with tempfile.TemporaryDirectory(prefix="dmpkit-regen-") as temporary:
        fresh = Path(temporary) / out_root.name
        generate_into(store, fresh, generators)
        difference = compare_trees(fresh, out_root)
        sync_tree(fresh, out_root)
    return difference
