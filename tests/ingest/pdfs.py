"""PDFs made by the tests: text placed line by line in Helvetica, pages with no text
at all (a scan), and password-protected ones. Written by hand (the format is plain
enough) so the tests need nothing beyond what qcode reads PDFs with."""

from __future__ import annotations

import io
import zlib

Line = tuple[float, float, str]  # x, y from the bottom left, text


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(pages: list[list[Line]], *, size: float = 11, image_only: bool = False) -> bytes:
    """A PDF with ``pages``, each a list of lines of text at (x, y); ``image_only``
    gives each page a grey image and no text (what a scanner makes)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>")
    image = add(b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace "
                b"/DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\x80\x80\x80\x80"
                b"\nendstream")
    kids = []
    for lines in pages:
        if image_only:
            content = b"q 500 0 0 700 50 50 cm /Im1 Do Q"
        else:
            content = b"".join(b"BT /F1 %g Tf %g %g Td (%s) Tj ET\n" % (size, x, y, _escape(t))
                               for x, y, t in lines)
        packed = zlib.compress(content)
        stream = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
                     % (len(packed), packed))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                        b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> "
                        b"/Contents %d 0 R >>" % (pages_id, font, image, stream)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objects[pages_id - 1] = (b"<< /Type /Pages /Kids [%s] /Count %d >>"
                             % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, catalog, xref))
    return out.getvalue()


def encrypted(pdf: bytes, password: str = "secret") -> bytes:
    """``pdf`` protected by a password (RC4, which pypdf opens without extra packages)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password=password + "!",
                   algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def paragraphs_page(paragraphs: list[str], *, top: float = 740, width: int = 60,
                    leading: float = 14, gap: float = 10, indent: float = 0) -> list[Line]:
    """Lines of ``paragraphs`` wrapped at ``width`` characters, a blank ``gap`` between
    paragraphs (or, with ``indent``, no gap and the first line indented)."""
    lines: list[Line] = []
    y = top
    for text in paragraphs:
        words, current = text.split(), ""
        wrapped = []
        for word in words:
            if current and len(current) + 1 + len(word) > width:
                wrapped.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        wrapped.append(current)
        for number, line in enumerate(wrapped):
            lines.append((72 + (indent if number == 0 else 0), y, line))
            y -= leading
        y -= gap
    return lines
