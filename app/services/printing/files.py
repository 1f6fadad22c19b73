"""Packaging rendered PDFs: one merged PDF with an outline entry per workbook, a ZIP, a preview."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from app.core.i18n import gettext as _
from app.services.printing.pool import RenderError

PREVIEW_TIMEOUT_S = 60


def merge_pdfs(
    named_pdfs: Iterable[tuple[str, bytes]], *, language: str = "", title: str = ""
) -> bytes:
    """Concatenate PDFs into one, with a top-level outline entry per input holding its outline.

    Tagged inputs stay tagged: each input's structure tree becomes one ``/Part`` (with its
    own ``/Lang`` and title) of the merged document's tree, page and annotation keys of the
    parent tree renumbered, and the catalog gets ``/MarkInfo``, ``/Lang`` (``language``, else
    the first input's) and ``/ViewerPreferences``, so a screen reader follows every workbook.
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    parts: list[tuple[str, PdfReader, int]] = []
    for name, pdf in named_pdfs:
        part_title = name.removesuffix(".pdf")
        reader = PdfReader(io.BytesIO(pdf))
        first_page = len(writer.pages)
        writer.append(reader, outline_item=part_title, import_outline=True)
        parts.append((part_title, reader, first_page))
    if parts and all("/StructTreeRoot" in r.root_object for _t, r, _p in parts):
        _merge_structure(writer, parts, language=language, title=title)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _merge_structure(
    writer: Any, parts: list[tuple[str, Any, int]], *, language: str, title: str
) -> None:
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    first_lang = str(parts[0][1].trailer["/Root"].get("/Lang", ""))
    lang = language or first_lang
    root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    kids = ArrayObject()
    document = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): root_ref,
            NameObject("/K"): kids,
        }
    )
    document_ref = writer._add_object(document)
    nums = ArrayObject()
    offset = 0
    for part_title, reader, first_page in parts:
        source = reader.trailer["/Root"]
        tree = source["/StructTreeRoot"].get_object()
        # Every key of this input's parent tree moves up by the keys of the inputs before it.
        old_nums = tree["/ParentTree"].get_object()["/Nums"]
        keys = [int(old_nums[i]) for i in range(0, len(old_nums), 2)]
        for i in range(0, len(old_nums), 2):
            nums.append(NumberObject(int(old_nums[i]) + offset))
            nums.append(old_nums[i + 1].clone(writer))
        merged_pages = writer.pages[first_page : first_page + len(reader.pages)]
        for page, original in zip(merged_pages, reader.pages, strict=True):
            # pypdf's append leaves the key out; the page's marked content needs it.
            if "/StructParents" in original:
                page[NameObject("/StructParents")] = NumberObject(
                    int(original["/StructParents"]) + offset
                )
            for annot in page.get("/Annots") or []:
                annot = annot.get_object()
                if "/StructParent" in annot:
                    annot[NameObject("/StructParent")] = NumberObject(
                        int(annot["/StructParent"]) + offset
                    )
        offset += max(keys, default=-1) + 1
        # The input's /Document becomes a /Part of the merged document, in its own language.
        for kid in tree["/K"] if isinstance(tree["/K"], list) else [tree["/K"]]:
            part = kid.clone(writer).get_object()
            part[NameObject("/S")] = NameObject("/Part")
            part[NameObject("/P")] = document_ref
            part[NameObject("/T")] = TextStringObject(part_title)
            if "/Lang" in source:
                part[NameObject("/Lang")] = TextStringObject(str(source["/Lang"]))
            kids.append(part.indirect_reference)
    parent_tree = DictionaryObject({NameObject("/Nums"): nums})
    root[NameObject("/ParentTree")] = writer._add_object(parent_tree)
    root[NameObject("/ParentTreeNextKey")] = NumberObject(offset)
    root[NameObject("/K")] = ArrayObject([document_ref])
    catalog = writer._root_object
    catalog[NameObject("/StructTreeRoot")] = root_ref
    catalog[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(True)}
    )
    catalog[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
    if lang:
        catalog[NameObject("/Lang")] = TextStringObject(lang)
    shown_title = title or parts[0][0]
    writer.add_metadata({"/Title": shown_title})
    # PDF/UA asks for the title and the conformance claim in the XMP metadata too.
    metadata = StreamObject()
    metadata.set_data(_XMP.format(title=xml_escape(shown_title), lang=xml_escape(lang)).encode())
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    catalog[NameObject("/Metadata")] = writer._add_object(metadata)


_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/">
   <pdfuaid:part>1</pdfuaid:part>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def zip_pdfs(named_pdfs: Iterable[tuple[str, bytes]]) -> bytes:
    """Return a ZIP of the PDFs; stored uncompressed, as PDF streams are already compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, pdf in named_pdfs:
            # A fixed timestamp keeps the archive identical when the workbooks are.
            info = zipfile.ZipInfo(Path(name).name, date_time=(2000, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, pdf)
    return out.getvalue()


def render_preview_png(pdf_bytes: bytes, page: int, out_path: Path, *, dpi: int = 80) -> Path:
    """Write page ``page`` (1-based) of a PDF as a PNG with pdftoppm; RenderError if unavailable."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RenderError(_("pdftoppm is not installed (Debian: apt-get install poppler-utils)"))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf_bytes)
        prefix = Path(tmp) / "page"
        done = subprocess.run(  # noqa: S603 - fixed tool, arguments are ours
            [
                tool,
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                str(prefix),
            ],
            capture_output=True,
            timeout=PREVIEW_TIMEOUT_S,
            check=False,
        )
        produced = prefix.with_suffix(".png")
        if done.returncode != 0 or not produced.exists():
            raise RenderError(
                _(
                    "could not preview page %(page)s: %(reason)s",
                    page=page,
                    reason=done.stderr.decode()[:200],
                )
            )
        shutil.move(produced, out_path)
    return out_path
