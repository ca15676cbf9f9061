"""Small .odt and .rtf files made by the tests (PDFs: tests/ingest/pdfs.py)."""

from __future__ import annotations

import io
import zipfile

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def odt_bytes(body: str, *, title: str = "An interview",
              mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    """An .odt whose ``<office:text>`` holds ``body`` (prefixes text:, table:)."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<office:document-content xmlns:office="{OFFICE_NS}" xmlns:text="{TEXT_NS}" '
               f'xmlns:table="{TABLE_NS}" office:version="1.3"><office:body><office:text>'
               f"{body}</office:text></office:body></office:document-content>")
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta '
            f'xmlns:office="{OFFICE_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<office:meta><dc:title>{title}</dc:title></office:meta></office:document-meta>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("meta.xml", meta)
    return out.getvalue()


INTERVIEW_ODT = odt_bytes(
    "<text:h>Part one</text:h>"
    "<text:p>Q: How did it <text:span>start</text:span>?</text:p>"
    "<text:p>A: With<text:s text:c=\"2\"/>a letter<text:note><text:note-body><text:p>a "
    "footnote</text:p></text:note-body></text:note> to the ministry.</text:p>"
    "<text:list><text:list-item><text:p>first point</text:p></text:list-item>"
    "<text:list-item><text:p>second point</text:p></text:list-item></text:list>"
    "<table:table><table:table-row><table:table-cell><text:p>Ana</text:p></table:table-cell>"
    "<table:table-cell><text:p>It was hard.</text:p></table:table-cell></table:table-row>"
    "</table:table>")

# As word processors write it: a line break after each \par.
RTF_CP1251 = (b"{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0 Times New Roman;}}\n"
              b"\\f0\\fs24 INTERVIEW\\par\n"
              b"Q: \\'c2\\'ee\\'ef\\'f0\\'ee\\'f1?\\par\n"
              b"A: \\u1054?\\'f2\\'e2\\'e5\\'f2, with a {\\i quoted} word.\\par\n\\par\n"
              b"Closing line.\\par\n}")
