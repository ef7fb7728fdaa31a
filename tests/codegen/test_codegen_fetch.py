"""fetch: local copy, upstream download (fake GitHub with a zip), verification, idempotence,
the store stamp, the catalog and the project schemas."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import httpx
import pytest
from click.testing import CliRunner

from codegen import paths
from codegen.__main__ import main
from codegen.errors import ChecksumMismatchError, DownloadError
from codegen.fetch import FetchReport, UpstreamDownloader, fetch
from codegen.integrity import sha256_hex
from codegen.manifest import Manifest
from codegen.store import STAMP_NAME, is_complete, verify_store
from dmpkit.xmlparse import parse_xml

if TYPE_CHECKING:
    from tests.codegen.conftest import MiniSpecs


JSON_FILE = "nos/fhir-json/ValueSet-JDV-J57-ClassCode-DMP.json"
XML_TRANSCRIBED = ("schematron-cisis/schematrons/profils/structurationMinimale/include/"
                   "voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml")


def _no_download() -> UpstreamDownloader:
    raise AssertionError("no download expected")


def _fetch_local(mini: MiniSpecs, project: Path | None = None) -> FetchReport:
    return fetch(mini.manifest, mini.store, local_source=mini.source,
                 project_schemas=project, downloader=_no_download)


def test_fetch_from_local_source_installs_verified_files(mini: MiniSpecs) -> None:
    report = _fetch_local(mini)
    assert (report.copied, report.kept, report.downloaded) == (len(mini.subset), 0, 0)
    assert verify_store(mini.manifest, mini.store) == []
    assert is_complete(mini.manifest, mini.store)
    for relative in mini.subset:
        assert (mini.store / relative).read_bytes() == (mini.source / relative).read_bytes()


def test_fetch_writes_the_catalog_from_the_manifest(mini: MiniSpecs) -> None:
    _fetch_local(mini)
    catalog = parse_xml((mini.store / "catalog.xml").read_bytes())
    mapped = {e.get("systemId"): e.get("uri") for e in catalog
              if isinstance(e.tag, str) and e.tag.endswith("}system")}
    assert mapped == {"http://www.w3.org/2001/xml.xsd": "xml/xml.xsd"}
    assert (mini.store / "xml/xml.xsd").is_file()


def test_second_fetch_keeps_every_file(mini: MiniSpecs) -> None:
    _fetch_local(mini)
    times = {p: (mini.store / p).stat().st_mtime_ns for p in mini.subset}
    report = _fetch_local(mini)
    assert (report.kept, report.copied) == (len(mini.subset), 0)
    assert {p: (mini.store / p).stat().st_mtime_ns for p in mini.subset} == times


def test_fetch_replaces_a_damaged_store_file(mini: MiniSpecs) -> None:
    _fetch_local(mini)
    (mini.store / "xml/xml.xsd").write_bytes(b"<damaged/>")
    report = _fetch_local(mini)
    assert (report.kept, report.copied) == (len(mini.subset) - 1, 1)
    assert verify_store(mini.manifest, mini.store) == []


def test_mismatched_source_file_stops_the_fetch_and_leaves_it_incomplete(
    mini: MiniSpecs,
) -> None:
    _fetch_local(mini)
    (mini.store / "ihe-iti/schema/IHE/SVS.xsd").unlink()
    altered = (mini.source / "ihe-iti/schema/IHE/SVS.xsd").read_bytes().replace(
        b'name="version"', b'name="release"')
    (mini.source / "ihe-iti/schema/IHE/SVS.xsd").write_bytes(altered)
    expected = mini.manifest.files["ihe-iti/schema/IHE/SVS.xsd"].sha256
    with pytest.raises(ChecksumMismatchError) as caught:
        _fetch_local(mini)
    message = str(caught.value)
    assert "ihe-iti/schema/IHE/SVS.xsd" in message
    assert expected in message and sha256_hex(altered) in message
    assert not (mini.store / STAMP_NAME).exists()
    assert not is_complete(mini.manifest, mini.store)


def test_transcribed_json_is_compared_by_parsed_content(mini: MiniSpecs) -> None:
    original = json.loads((mini.source / JSON_FILE).read_bytes())
    # Same content, different bytes: as a transcription (or the upstream file) may be.
    (mini.source / JSON_FILE).write_text(json.dumps(original, indent=4), encoding="utf-8")
    _fetch_local(mini)
    assert verify_store(mini.manifest, mini.store) == []
    original["id"] = original["id"] + "-altered"
    (mini.source / JSON_FILE).write_text(json.dumps(original), encoding="utf-8")
    (mini.store / JSON_FILE).unlink()
    with pytest.raises(ChecksumMismatchError, match="ValueSet-JDV-J57"):
        _fetch_local(mini)


def test_transcribed_xml_is_compared_by_canonical_content(mini: MiniSpecs) -> None:
    data = (mini.source / XML_TRANSCRIBED).read_bytes()
    reformatted = data.replace(b"\n", b"\r\n")
    assert reformatted != data
    (mini.source / XML_TRANSCRIBED).write_bytes(reformatted)
    _fetch_local(mini)
    assert verify_store(mini.manifest, mini.store) == []


def test_project_schemas_are_mirrored_and_stale_ones_removed(
    mini: MiniSpecs, tmp_path: Path
) -> None:
    project = tmp_path / "project-schemas"
    (project / "dmp").mkdir(parents=True)
    (project / "dmp/a.xsd").write_bytes(b"<a/>")
    (project / "dmp/b.xsd").write_bytes(b"<b/>")
    _fetch_local(mini, project)
    assert (mini.store / "dmp/schemas/dmp/a.xsd").read_bytes() == b"<a/>"
    (project / "dmp/b.xsd").unlink()
    report = _fetch_local(mini, project)
    assert report.project_removed == 1
    assert not (mini.store / "dmp/schemas/dmp/b.xsd").exists()


class FakeGitHub:
    """raw.githubusercontent.com in-process: serves each pinned file, zips built on demand."""

    def __init__(self, manifest: Manifest, source: Path,
                 alter: Callable[[str, bytes], bytes] = lambda path, data: data) -> None:
        self.files: dict[str, bytes] = {}
        zips: dict[str, dict[str, bytes]] = {}
        for record in manifest.files.values():
            upstream = record.upstream
            url_path = f"/{upstream.repo}/{upstream.commit}/{upstream.path}"
            data = alter(record.path, (source / record.path).read_bytes())
            if upstream.member is None:
                self.files[url_path] = data
            else:
                zips.setdefault(url_path, {})[upstream.member] = data
        for url_path, members in zips.items():
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for member, data in sorted(members.items()):
                    archive.writestr(member, data)
                archive.writestr("README.txt", "another member")
            self.files[url_path] = buffer.getvalue()
        self.requests: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "raw.githubusercontent.com"
        path = unquote(request.url.raw_path.decode("ascii"))
        self.requests.append(path)
        if path not in self.files:
            return httpx.Response(404)
        return httpx.Response(200, content=self.files[path])

    def downloader(self) -> UpstreamDownloader:
        return UpstreamDownloader(httpx.Client(transport=httpx.MockTransport(self.handle)))


def test_fetch_downloads_from_upstream_and_extracts_zip_members(mini: MiniSpecs) -> None:
    def reindent(path: str, data: bytes) -> bytes:
        # Upstream bytes of a transcribed file differ; its parsed content does not.
        return json.dumps(json.loads(data)).encode() if path == JSON_FILE else data

    github = FakeGitHub(mini.manifest, mini.source, reindent)
    loader = github.downloader()
    report = fetch(mini.manifest, mini.store, local_source=None, project_schemas=None,
                   downloader=lambda: loader)
    assert report.downloaded == len(mini.subset)
    assert verify_store(mini.manifest, mini.store) == []
    zip_requests = [r for r in github.requests if r.endswith("RMD.SupportMaterials.zip")]
    assert len(zip_requests) == 1, "the zip is downloaded once for its two members"
    assert any("Bac-à-sable-dan" in r for r in github.requests)
    assert is_complete(mini.manifest, mini.store)


def test_fetch_prefers_local_files_and_downloads_only_the_missing(mini: MiniSpecs) -> None:
    github = FakeGitHub(mini.manifest, mini.source)
    loader = github.downloader()
    (mini.source / "xml/xml.xsd").unlink()
    report = fetch(mini.manifest, mini.store, local_source=mini.source, project_schemas=None,
                   downloader=lambda: loader)
    assert (report.copied, report.downloaded) == (len(mini.subset) - 1, 1)
    assert github.requests == [f"/oehf/ipf/{mini.manifest.files['xml/xml.xsd'].upstream.commit}/"
                               f"{mini.manifest.files['xml/xml.xsd'].upstream.path}"]


def test_tampered_download_is_refused(mini: MiniSpecs) -> None:
    def tamper(path: str, data: bytes) -> bytes:
        return data + b"<!-- tampered -->" if path == "ihe-iti/schema/ebRS30/rs.xsd" else data

    loader = FakeGitHub(mini.manifest, mini.source, tamper).downloader()
    with pytest.raises(ChecksumMismatchError, match=r"ihe-iti/schema/ebRS30/rs\.xsd from https://"):
        fetch(mini.manifest, mini.store, local_source=None, project_schemas=None,
              downloader=lambda: loader)
    assert not is_complete(mini.manifest, mini.store)


def test_http_error_names_the_url(mini: MiniSpecs) -> None:
    github = FakeGitHub(mini.manifest, mini.source)
    github.files.clear()
    loader = github.downloader()
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(mini.manifest, mini.store, local_source=None, project_schemas=None,
              downloader=lambda: loader)


@pytest.mark.slow  # copies 35 MB: about 2 s on an idle disk
def test_cli_fetch_of_the_full_manifest_from_the_shared_folder(tmp_path: Path) -> None:
    if paths.default_local_source() is None:
        pytest.skip("../shared/specs is not beside the checkout")
    store = tmp_path / "store"
    first = CliRunner().invoke(main, ["fetch", "--specs", str(store), "--offline"])
    assert first.exit_code == 0, first.output
    assert "4015 files verified (0 already present, 4015 copied, 0 downloaded" in first.output
    stamp = json.loads((store / STAMP_NAME).read_text())
    assert stamp["files"] == 4015


def test_cli_fetch_with_a_missing_source_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["fetch", "--specs", str(tmp_path / "s"),
                                       "--from", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert "no such folder" in result.output and "Traceback" not in result.output


def test_raw_urls_follow_github_layout(real_manifest: Manifest) -> None:
    loader = UpstreamDownloader(httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(404))))
    rim = real_manifest.files["ihe-iti/schema/ebRS/rim.xsd"].upstream
    assert loader.url_of(rim) == (
        "https://raw.githubusercontent.com/IHE/ITI-Info/"
        "adeba8ef11df9b59cd1def7aece4538b6b17eadc/schema/ebRS/rim.xsd")
    member = real_manifest.files["ihe-iti/schema/ebRS30/rim.xsd"].upstream
    assert loader.url_of(member).endswith("/packages/RMD.SupportMaterials.zip")
    x16 = real_manifest.files[
        "nos/fhir-json/ConceptMap-ASS-X16-CorrespondanceType-Classe-DMP.json"].upstream
    assert "/ig/Bac-%C3%A0-sable-dan/" in loader.url_of(x16)
