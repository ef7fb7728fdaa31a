"""mkdocs hooks: bring the notebooks into the build and write the API reference pages.

The notebooks live in ``../notebooks`` (where JupyterLab and nbval use them), not in
``docs/``; they are added to the build as ``notebooks/<name>.ipynb`` for mkdocs-jupyter.
Each module listed under ``extra.api_reference`` gets a generated page and a nav entry.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

SITE_FOLDER = Path(__file__).resolve().parent
NOTEBOOKS_DIR = SITE_FOLDER.parent / "notebooks"
REFERENCE_SECTION = "API reference"
TRANSACTIONS_PAGE = "transactions.md"
# Relative links to a page or a notebook, as written in a notebook's markdown cells.
_LOCAL_LINK = re.compile(r'href="(?![a-z]+:|#|/)([^"#]+\.(?:md|ipynb))(#[^"]*)?"')

log = logging.getLogger("mkdocs.hooks.dmpkit")


def _modules(config: MkDocsConfig) -> list[str]:
    return list(config.extra.get("api_reference", []))


def _reference_page(module: str) -> str:
    return f"reference/{module}.md"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Append the API reference section to the nav, one page per listed module."""
    pages = [{module: _reference_page(module)} for module in _modules(config)]
    if config.nav is not None and pages:
        config.nav.append({REFERENCE_SECTION: pages})
    return config


# Before mkdocs-jupyter's own on_files, which turns the notebooks it sees into pages.
@event_priority(100)
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the notebooks and the generated reference pages to the build."""
    for notebook in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        files.append(
            File(
                f"notebooks/{notebook.name}",
                src_dir=str(NOTEBOOKS_DIR.parent),
                dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls,
            )
        )
    for module in _modules(config):
        # The page title comes from the nav entry; mkdocstrings renders the module heading.
        files.append(File.generated(config, _reference_page(module), content=f"::: {module}\n"))
    # The transactions page is written from the catalogue and the client, never by hand.
    from dmpkit.client.reference import transactions_page

    files.append(File.generated(config, TRANSACTIONS_PAGE, content=transactions_page()))
    return files


def _source_uri(target: Path, docs_dir: Path) -> str | None:
    """The build's name for a file a notebook links to, or None if it is not part of the build."""
    if target.is_relative_to(NOTEBOOKS_DIR):
        return f"notebooks/{target.relative_to(NOTEBOOKS_DIR).as_posix()}"
    if target.is_relative_to(docs_dir):
        return target.relative_to(docs_dir).as_posix()
    return None


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Point a notebook's links to pages and notebooks at their built URLs.

    Notebooks link with repository-relative paths (``../site/docs/test-mode.md``,
    ``01_bindings.ipynb``) so the links work in JupyterLab too; mkdocs-jupyter leaves them
    untouched, so they are resolved here, and a link to nothing fails the strict build.
    """
    if not page.file.src_uri.startswith("notebooks/"):
        return html
    docs_dir = Path(config.docs_dir).resolve()

    def rewrite(match: re.Match[str]) -> str:
        href, anchor = match.group(1), match.group(2) or ""
        target = Path(os.path.normpath(NOTEBOOKS_DIR / href))
        uri = _source_uri(target, docs_dir)
        linked = files.get_file_from_path(uri) if uri is not None else None
        if linked is None:
            log.warning("notebook %s links to %s: not in the site", page.file.src_uri, href)
            return match.group(0)
        return f'href="{linked.url_relative_to(page.file)}{anchor}"'

    return _LOCAL_LINK.sub(rewrite, html)
