"""The HTML report as a PDF to sign: the same page, laid out on A4 with page numbers, a running
header (the battery and the screening or declaration label on every page) and a contents table
whose entries give the page each section starts on.

The content is the HTML report's (``render_report``), byte for byte: this module adds only a
print stylesheet for the pages and hands both to WeasyPrint, a library that lays out HTML and
CSS as PDF by itself (no browser), with Pango for the text. The charts are the report's inline
SVG, drawn by WeasyPrint as vector graphics. Nothing is fetched: the report holds no external
resource, and the URL fetcher given to WeasyPrint refuses any. The same HTML gives the same
bytes (WeasyPrint writes no date and no random identifier). Requires the ``pdf`` extra.
"""

from __future__ import annotations

from typing import Any

from carbonfp.errors import UsageError

#: The print stylesheet added to the report's own (its ``@media print`` rules still apply).
#: WeasyPrint gives a stylesheet passed to ``write_pdf`` the user origin, which yields to the
#: page's own rules unless marked !important.
PDF_CSS = """\
@page {
  size: A4;
  margin: 18mm 14mm 18mm;
  font-family: system-ui, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif;
  @top-left { content: string(report-title); font-size: 7.5pt; color: #5a5a60;
    vertical-align: bottom; padding-bottom: 3mm; }
  @top-right { content: string(report-label); font-size: 7.5pt; font-weight: 700;
    color: #5a5a60; text-transform: uppercase; vertical-align: bottom; padding-bottom: 3mm; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 7.5pt;
    color: #5a5a60; vertical-align: top; padding-top: 3mm; }
}
@page :first {
  @top-left { content: none; }
  @top-right { content: none; }
}
header h1 { string-set: report-title content(); }
header .mode { string-set: report-label content(); }
nav { display: block !important; margin: 1.2rem 0 0 !important; font-size: 9.5pt !important; }
nav::before { content: "Contents"; display: block; font-size: 1.3rem; font-weight: 700;
  margin: 0 0 0.4rem; padding-bottom: 0.25rem; border-bottom: 2px solid #1d1d1f; }
nav a { display: block !important; color: #1d1d1f !important; text-decoration: none !important;
  padding: 0.12rem 0; border-bottom: 1px solid #d6d6dc; }
nav a::after { content: leader(dotted) " " target-counter(attr(href url), page); }
"""


def weasyprint() -> Any:
    """The WeasyPrint module, imported. Raises UsageError (``missing-dependency``) when it is
    not installed, or when it cannot load Pango, the system library it lays out text with."""
    try:
        import weasyprint as module
    except ImportError as exc:
        raise UsageError(
            "a PDF report is laid out by WeasyPrint, which is not installed",
            hint="install the pdf extra: pip install 'carbonfp[pdf]' (or pip install "
            "'weasyprint>=68'), or write the HTML report (-o report.html) and print it from a "
            "browser",
            code="missing-dependency",
        ) from exc
    except OSError as exc:  # WeasyPrint loads Pango with cffi when it is imported
        raise UsageError(
            f"WeasyPrint is installed but cannot load the Pango library it needs: {exc}",
            hint="install Pango (Debian and Ubuntu: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0; other systems: see WeasyPrint's installation guide), or write "
            "the HTML report (-o report.html) and print it from a browser",
            code="missing-dependency",
        ) from exc
    return module


def pdf_from_html(html: str) -> bytes:
    """The report's HTML (``render_report``) as PDF bytes, with page numbers, running headers
    and a contents table (``PDF_CSS``). Fetches nothing. Raises UsageError as ``weasyprint``
    does."""
    wp = weasyprint()
    from weasyprint.urls import URLFetcher

    class Offline(URLFetcher):  # type: ignore[misc]
        """Refuses every URL: the report is self-contained and the PDF is made offline."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"carbonfp makes the PDF offline and fetches nothing: {url}")

    fetcher = Offline()
    document = wp.HTML(string=html, base_url=None, url_fetcher=fetcher)
    stylesheet = wp.CSS(string=PDF_CSS, url_fetcher=fetcher)
    data: bytes = document.write_pdf(stylesheets=[stylesheet])
    return data
