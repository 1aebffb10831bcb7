"""Finishing touches to WeasyPrint 70's PDF structure tree, applied before the file is written.

Two gaps in WeasyPrint's tagging are closed here (``HTML.write_pdf(finisher=...)``):

* Table header cells get a ``/Scope`` (``/Column`` in a header row group, ``/Row``
  elsewhere). WeasyPrint links data cells to headers with ``/Headers`` + ``/ID`` only;
  checkers that look at the header cells (``pdfua`` rule UA-15-003) cannot see that.
* Page margin boxes (running header, page numbers) are marked as ``/Artifact``
  (pagination). WeasyPrint tags their text as ``/Span`` content whose structure elements
  are not linked into the tree (its comment: artifacts in the tree need PDF 2.0), which
  leaves real-looking content outside the logical structure.

This works on pydyf objects, so it depends on WeasyPrint's internals (pinned to 70.x).
"""

from __future__ import annotations

from typing import Any, Iterator


def finish_structure(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: scope table headers and turn margin-box content into artifacts."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    objects = _Objects(pdf)
    root = objects[pdf.catalog["StructTreeRoot"]]
    reachable = set(objects.reachable(root))
    scope_table_headers(objects, reachable)
    mark_unlinked_content_as_artifacts(pdf, objects, root, reachable)


class _Objects:
    """Look up pydyf objects by their ``b"12 0 R"`` references."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf

    def __getitem__(self, reference: Any) -> Any:
        return self.pdf.objects[number(reference)]

    def reachable(self, element: Any) -> Iterator[int]:
        """Object numbers of the structure elements below ``element`` (depth first)."""
        stack = [element]
        while stack:
            current = stack.pop()
            kids = current.get("K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                if isinstance(kid, (bytes, str)) and str(_text(kid)).endswith(" R"):
                    target = self[kid]
                    if isinstance(target, dict) and target.get("Type") == "/StructElem":
                        yield target.number
                        stack.append(target)


def number(reference: Any) -> int:
    """``b"12 0 R"`` -> 12."""
    return int(_text(reference).split()[0])


def _text(value: Any) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


def scope_table_headers(objects: _Objects, reachable: set[int]) -> None:
    """Add ``/Scope`` to every ``/TH``: ``/Column`` under ``/THead``, ``/Row`` elsewhere."""
    for obj_number in sorted(reachable):
        element = objects.pdf.objects[obj_number]
        if element.get("S") != "/TH":
            continue
        row = objects[element["P"]]
        group = objects[row["P"]] if "P" in row else None
        scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
        attributes = element.get("A")
        if attributes is None:
            import pydyf

            attributes = element["A"] = pydyf.Dictionary({"O": "/Table"})
        attributes["Scope"] = scope


def mark_unlinked_content_as_artifacts(pdf: Any, objects: _Objects, root: Any, reachable: set[int]) -> int:
    """Re-mark content whose structure element is not in the tree as pagination artifacts.

    Returns how many marked-content sequences were changed.
    """
    import pydyf

    nums = objects[root["ParentTree"]]["Nums"]
    changed = 0
    for index in range(0, len(nums), 2):
        page_index, parents = nums[index], nums[index + 1]
        if not isinstance(parents, list) or page_index >= len(pdf.page_references):
            continue  # annotation entries follow the pages
        orphans = {mcid for mcid, ref in enumerate(parents)
                   if isinstance(ref, (bytes, str)) and number(ref) not in reachable}
        if not orphans:
            continue
        page = objects[pdf.page_references[page_index]]
        stream = objects[page["Contents"]].stream
        for position in range(len(stream) - 2):
            tag, properties, operator = stream[position:position + 3]
            if (operator == b"BDC" and isinstance(properties, dict) and properties.get("MCID") in orphans
                    and isinstance(tag, str) and tag.startswith("/")):
                stream[position] = "/Artifact"
                stream[position + 1] = pydyf.Dictionary({"Type": "/Pagination"})
                changed += 1
        for mcid in orphans:
            parents[mcid] = "null"
    return changed
