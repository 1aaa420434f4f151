"""What the documentation site's build adds to MkDocs (mkdocs.yml loads this file twice).

1. As a MkDocs hook (``hooks:``): links from docs/ to repository files outside it.

The guides are read in the repository as well as on the site, so they link to files beside
docs/ the way the repository shows them: ``[configs/README.md](../configs/README.md)``. Such a
file is not part of the site, so MkDocs would report the link as not found (under ``strict``, an
error) and, if let through, leave a link that is broken on the site.

Here, before MkDocs checks links, a relative link whose target lies outside docs/ but inside the
repository and exists there is rewritten: to the file on the repository's host when ``repo_url``
is set, and otherwise to the path as code, which is how the guides name files they do not link.
Any other link is left as it is for MkDocs' own validation, so a link to a repository file that
does not exist is still reported as not found (under ``strict``, an error), as are missing
pages, anchors and images.

2. As a Griffe extension of mkdocstrings (``RstMarkup``): the docstrings are numpy style with
some reStructuredText, as Sphinx reads them, which mkdocstrings renders as Markdown. Three
constructs would show wrongly and are translated:

- a role (``:func:`kaplan_meier```), which Markdown shows as the text ":func:" before the name.
  One naming an object of this package, resolved in the docstring's scope as Python would,
  becomes a link where the API reference lists the object and code where it does not (a private
  module, a constant without a docstring); one naming no object at all (a bare name in no scope
  and not a built-in, or a ``sim.`` path that does not exist) fails the strict build, as a
  broken link does. One naming another package's object (``:func:`itertools.product```) or a
  built-in becomes code: no inventory of other sites is downloaded.
- a literal block's ``::`` (``an example::`` and an indented block), shown as "::": it becomes
  ":", and the indented block is already Markdown's code block.
- a doctest outside an Examples section (numpy's parser reads those), which Markdown would show
  as a nested quotation: it is fenced as ``pycon``.
"""

from __future__ import annotations

import builtins
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import markdown
from griffe import Extension as GriffeExtension
from griffe import GriffeLoader, Object
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_page: dict[str, Any] = {}  # the page being rendered (pages render one at a time)


class _RepoLinks(Treeprocessor):
    def __init__(self, md: markdown.Markdown, docs_dir: Path, root: Path, repo_url: str | None):
        super().__init__(md)
        self.docs_dir, self.root, self.repo_url = docs_dir, root, repo_url

    def run(self, root: Element) -> None:
        page = _page.get("src_path")
        if page is None:
            return
        for parent in root.iter():
            for index, el in enumerate(list(parent)):
                if el.tag == "a" and el.get("href"):
                    self._rewrite(parent, index, el, page)

    def _rewrite(self, parent: Element, index: int, a: Element, page: Path) -> None:
        href = a.get("href", "")
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path or href.startswith(("/", "\\")):
            return
        target = Path(posixpath.normpath((page.parent / unquote(parts.path)).as_posix()))
        if target.is_relative_to(self.docs_dir) or not target.is_relative_to(self.root):
            return  # a page or file of the site, or outside the repository: MkDocs decides
        if not target.exists():
            return  # MkDocs reports it: not found (under strict, an error)
        rel = target.relative_to(self.root).as_posix()
        if self.repo_url:
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            a.set("href", f"{self.repo_url.rstrip('/')}/blob/main/{rel}{fragment}")
            return
        text = "".join(a.itertext())
        code = Element("code", {"title": "a file in the repository"})
        code.text = rel
        if text.strip() == rel:
            code.tail = a.tail
            parent[index] = code
            return
        span = Element("span")
        span.text, span.tail = a.text, a.tail
        span.extend(list(a))
        if len(span):
            span[-1].tail = (span[-1].tail or "") + " ("
        else:
            span.text = (span.text or "") + " ("
        code.tail = ")"
        span.append(code)
        parent[index] = span


class _RepoLinksExtension(Extension):
    def __init__(self, docs_dir: Path, root: Path, repo_url: str | None):
        super().__init__()
        self.args = (docs_dir, root, repo_url)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        # Before MkDocs' own link check ("relpath", priority 0) sees the link.
        md.treeprocessors.register(_RepoLinks(md, *self.args), "repo_links", 1)


def on_config(config: Any) -> Any:
    docs_dir = Path(config["docs_dir"]).resolve()
    root = Path(config["config_file_path"]).resolve().parent
    config["markdown_extensions"].append(_RepoLinksExtension(docs_dir, root, config["repo_url"]))
    return config


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    _page["src_path"] = Path(page.file.abs_src_path).resolve()
    return markdown


_ROLE = re.compile(r":(?:py:)?(?:mod|func|class|meth|attr|data|obj|exc|const):`(~?)([\w.]+)`")
_SECTION_RULE = re.compile(r"^\s*-{3,}\s*$")


class RstMarkup(GriffeExtension):
    """The reStructuredText in the docstrings, as Markdown (see the module docstring)."""

    def on_object(self, *, obj: Object, loader: GriffeLoader, **_: Any) -> None:
        if obj.docstring is None:
            return
        value = _fence_doctests(obj.docstring.value)
        value = re.sub(r"(\S)::$", r"\1:", value, flags=re.M)  # "an example::" + indented block
        value = re.sub(r"^\s*::$", "", value, flags=re.M)
        obj.docstring.value = _ROLE.sub(lambda m: _reference(obj, loader, m), value)


def _fence_doctests(text: str) -> str:
    """Doctests outside an Examples section (numpy's parser reads those) in pycon fences."""
    lines, out, examples, i = text.split("\n"), [], False, 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and line.strip() and _SECTION_RULE.match(lines[i + 1]):
            examples = line.strip() in ("Examples", "Example")
        if not examples and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(f"{indent}```")
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _reference(obj: Object, loader: GriffeLoader, match: re.Match[str]) -> str:
    short, target = match.groups()
    title = target.rsplit(".", 1)[-1] if short else target
    first, dot, rest = target.partition(".")
    try:
        path = obj.resolve(first) + dot + rest
    except Exception:  # griffe's NameResolutionError, or an alias it cannot follow
        if not dot and not hasattr(builtins, target):
            return f"[`{title}`][{target}]"  # a name in no scope: fails the strict build
        path = target
    if path.split(".", 1)[0] != "sim":
        return f"`{title}`"  # another package's object: no inventory is downloaded
    try:
        loader.modules_collection.get_member(path)
    except Exception:  # no such object: a required reference, which fails the strict build
        return f"[`{title}`][{path}]"
    # An object that exists: a link where the reference lists it, else code (a private
    # module, or a constant without a docstring, is not listed).
    return f'<autoref identifier="{path}" optional><code>{title}</code></autoref>'
