"""Reproducible Office packages: fixed ZIP entry dates, fixed entry order, normalized embedded workbooks."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

#: Entries Office expects first; the rest follow in name order.
_LEADING_ENTRIES = ("[Content_Types].xml", "_rels/.rels")
_W3CDTF = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalize_package(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite an OOXML package so that the same content always gives the same bytes.

    Every entry gets the timestamp ``when`` and the same attributes, entries are written in
    a fixed order, and embedded workbooks (chart data, written by XlsxWriter with the
    clock's date) are normalized the same way, their creation dates set to ``when``.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    for name, blob in entries.items():
        if name.endswith(".xlsx"):
            entries[name] = normalize_package(_set_core_dates(blob, when), when)
    order = [n for n in _LEADING_ENTRIES if n in entries]
    order += sorted(n for n in entries if n not in _LEADING_ENTRIES)
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the host OS would otherwise leak into the bytes
            info.external_attr = 0
            target.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()


def _set_core_dates(package: bytes, when: dt.datetime) -> bytes:
    """The package with ``docProps/core.xml`` created/modified dates replaced by ``when``."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    core = entries.get("docProps/core.xml")
    if core is None:
        return package
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    entries["docProps/core.xml"] = _W3CDTF.sub(lambda m: m.group(1) + stamp + m.group(3), core)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, blob in entries.items():
            target.writestr(name, blob)
    return out.getvalue()
