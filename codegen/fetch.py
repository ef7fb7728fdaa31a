"""``python -m codegen fetch``: fill the spec store from a local copy or from upstream.

Each pinned file comes from the local public spec folder when it holds it, otherwise from
its upstream GitHub commit (a zip is downloaded once and its members extracted). Every file
is verified against the manifest before it is installed; the store's stamp is removed
first and written last, so an interrupted fetch never leaves a store that looks complete.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from codegen import store as spec_store
from codegen.dmp_package import DmpPackagePlan, plan_dmp_package
from codegen.errors import ChecksumMismatchError, DownloadError, UsageError
from codegen.integrity import sha256_hex
from codegen.manifest import FileRecord, Manifest, Upstream

RAW_BASE_URL = "https://raw.githubusercontent.com"
# Seconds between progress lines: a quick, already-good store prints nothing.
PROGRESS_INTERVAL = 2.0

Progress = Callable[[str], None]


def _silent(message: str) -> None:
    del message


class UpstreamDownloader:
    """Downloads pinned upstream files from GitHub raw URLs, each zip only once.

    Args:
        client: the HTTP client (tests pass one with a mock transport).
        base_url: the raw-content host, ``https://raw.githubusercontent.com`` by default.
    """

    def __init__(self, client: httpx.Client, base_url: str = RAW_BASE_URL) -> None:
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._archives: dict[str, zipfile.ZipFile] = {}

    def url_of(self, upstream: Upstream) -> str:
        """The raw URL of ``upstream`` (of its zip, for a member)."""
        return f"{self._base_url}/{upstream.repo}/{upstream.commit}/{quote(upstream.path)}"

    def _get(self, url: str) -> bytes:
        try:
            response = self._client.get(url)
        except httpx.HTTPError as exc:
            raise DownloadError(f"cannot download {url}: {exc}") from None
        if response.status_code != httpx.codes.OK:
            raise DownloadError(f"cannot download {url}: HTTP {response.status_code}")
        return response.content

    def download(self, upstream: Upstream) -> bytes:
        """The bytes of one upstream file or zip member.

        Raises:
            DownloadError: HTTP failure, a file that is not a zip, or an absent member.
        """
        url = self.url_of(upstream)
        if upstream.member is None:
            return self._get(url)
        archive = self._archives.get(url)
        if archive is None:
            try:
                archive = zipfile.ZipFile(io.BytesIO(self._get(url)))
            except zipfile.BadZipFile:
                raise DownloadError(f"{url} is not a zip archive") from None
            self._archives[url] = archive
        try:
            return archive.read(upstream.member)
        except KeyError:
            raise DownloadError(f"{url} has no member {upstream.member}") from None


@dataclass(slots=True)
class FetchReport:
    """What a fetch did.

    Attributes:
        kept: files already correct in the store.
        copied: files installed from the local source.
        downloaded: files installed from upstream.
        project_written: project schema files written; project_removed: stale ones removed.
        dmp_package: what the official DMP package replaced, when one was used.
    """

    kept: int = 0
    copied: int = 0
    downloaded: int = 0
    project_written: int = 0
    project_removed: int = 0
    dmp_package: DmpPackagePlan | None = None

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.kept} already present, {self.copied} copied, {self.downloaded} downloaded;"
            f" project schemas: {self.project_written} written, {self.project_removed} removed"
        )


def _obtain(
    record: FileRecord,
    local_source: Path | None,
    downloader: Callable[[], UpstreamDownloader],
) -> tuple[bytes, str]:
    if local_source is not None:
        candidate = local_source / record.path
        if candidate.is_file():
            return candidate.read_bytes(), str(candidate)
    loader = downloader()
    return loader.download(record.upstream), loader.url_of(record.upstream)


def fetch(
    manifest: Manifest,
    store: Path,
    *,
    local_source: Path | None,
    project_schemas: Path | None,
    downloader: Callable[[], UpstreamDownloader],
    progress: Progress = _silent,
    dmp_package: Path | None = None,
) -> FetchReport:
    """Make ``store`` hold every manifest file, verified, plus the catalog and project schemas.

    Args:
        manifest: what to fetch.
        store: the spec store folder (created when absent).
        local_source: a local public spec folder tried first, or None.
        project_schemas: the project's schema folder (``specs/dmp/schemas``), or None.
        downloader: builds the upstream downloader, called only if a download is needed.
        progress: receives a line now and then during long work.
        dmp_package: the official DMP package folder whose XSDs replace the project's
            reconstructions in ``dmp/schemas/`` (remembered in the stamp), or None.

    Raises:
        UsageError: ``dmp_package`` without ``project_schemas``, or not a folder.
        DmpPackageError: the package cannot be used (checked before the store is touched).
        ChecksumMismatchError: a source file differs from its record (named, both hashes).
        DownloadError: an upstream file could not be downloaded.
    """
    report = FetchReport()
    if dmp_package is not None:
        if project_schemas is None:
            raise UsageError("an official DMP package replaces project schemas: none given")
        report.dmp_package = plan_dmp_package(
            dmp_package, project_schemas, store_files=manifest.files.keys(),
            schemas_prefix=manifest.project_schemas)
    store.mkdir(parents=True, exist_ok=True)
    spec_store.clear_stamp(store)
    total = len(manifest.files)
    last_report = time.monotonic()
    for index, record in enumerate(manifest.files.values(), start=1):
        if time.monotonic() - last_report >= PROGRESS_INTERVAL:
            progress(f"fetch: {index}/{total} files ({report.copied} copied, "
                     f"{report.downloaded} downloaded)")
            last_report = time.monotonic()
        target = store / record.path
        if spec_store.check_file(record, target) is None:
            report.kept += 1
            continue
        data, origin = _obtain(record, local_source, downloader)
        if not spec_store.matches(record, data):
            raise ChecksumMismatchError(
                f"{record.path} from {origin}: expected sha256 {record.sha256}, "
                f"found {sha256_hex(data)}"
            )
        spec_store.install_bytes(target, data)
        if origin.startswith(("http://", "https://")):
            report.downloaded += 1
        else:
            report.copied += 1
    spec_store.write_catalog(manifest, store)
    plan = report.dmp_package
    if plan is not None:
        written, removed = spec_store.sync_files(plan.files, store / manifest.project_schemas)
        report.project_written, report.project_removed = written, removed
    elif project_schemas is not None:
        written, removed = spec_store.sync_tree(project_schemas, store / manifest.project_schemas)
        report.project_written, report.project_removed = written, removed
    spec_store.write_stamp(manifest, store, plan.record() if plan is not None else None)
    return report

