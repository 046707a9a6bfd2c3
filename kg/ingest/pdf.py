"""PDF files: the text layer extracted with pdfminer.six (the ``pdf`` extra), then read as a plain-text review.

``Document.text`` is pdfminer's text as extracted (running heads, hyphenation and page breaks included); offsets
index it exactly, and the review parser finds its structure as it does for any pasted text.
"""
from __future__ import annotations

import logging
from pathlib import Path

from kg.document import Document
from kg.errors import InputError

log = logging.getLogger(__name__)

MISSING_EXTRA = "reading PDF needs the pdf extra: pip install 'kg[pdf]'"


def pdf_text(path: Path) -> str:
    """The text layer of ``path``; ``InputError`` when pdfminer is missing, the file is broken or has no text."""
    try:
        from pdfminer.high_level import extract_text
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
        from pdfminer.pdfparser import PDFSyntaxError
        from pdfminer.psexceptions import PSException
    except ImportError:
        raise InputError(f"{path}: {MISSING_EXTRA}") from None
    try:
        text = extract_text(str(path))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise InputError(f"{path}: the PDF is encrypted; save an unprotected copy and try again") from None
    except (PDFSyntaxError, PSException) as err:
        raise InputError(f"{path}: not a readable PDF ({err or type(err).__name__}); check the file") from None
    except Exception as err:  # pdfminer raises plain exceptions (KeyError, TypeError, ...) on damaged files
        log.debug("pdfminer failed on %s", path, exc_info=True)
        raise InputError(f"{path}: not a readable PDF ({type(err).__name__}: {err}); check the file") from None
    text = text.replace("\x00", "").replace("\r\n", "\n")
    if not text.strip():
        raise InputError(f"{path}: the PDF has no text layer (a scanned image?); run OCR on it first")
    return text


def read_pdf(path: str | Path, doc_id: str) -> Document:
    """One PDF as a review ``Document`` of format ``pdf``."""
    from kg.ingest.review import parse_review

    path = Path(path)
    doc = parse_review(pdf_text(path), doc_id=doc_id, source=str(path))
    doc.format = "pdf"
    return doc
