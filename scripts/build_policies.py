"""Generate the PDF, DOCX and HTML sample policies from their Markdown sources.

    python scripts/build_policies.py

Sources live in ``policies/src/`` (not ingested); the generated files are committed in
``policies/`` so every loader is exercised on real files. Needs the ``dev`` extra (fpdf2).
"""

from __future__ import annotations

import html
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "policies" / "src"
OUT = ROOT / "policies"
TARGETS = {
    "informationssakerhetspolicy.md": ".pdf",
    "riktlinjer-generativ-ai.md": ".docx",
    "it-sakerhetspolicy.md": ".html",
}
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _blocks(markdown: str) -> list[tuple[str, int, str]]:
    """(kind, level, text) for headings ("h"), paragraphs ("p"), bullets ("ul"), numbered ("ol")."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    out: list[tuple[str, int, str]] = []
    stack: list[str] = []
    heading = 0
    for tok in tokens:
        if tok.type.endswith("_open"):
            stack.append(tok.type)
            if tok.type == "heading_open":
                heading = int(tok.tag[1])
        elif tok.type.endswith("_close"):
            stack.pop()
        elif tok.type == "inline":
            text = "".join(
                c.content if c.type in ("text", "code_inline") else " "
                for c in tok.children or []
                if c.type in ("text", "code_inline", "softbreak")
            )
            if stack[-1] == "heading_open":
                out.append(("h", heading, text))
            elif "ordered_list_open" in stack:
                out.append(("ol", 0, text))
            elif "bullet_list_open" in stack:
                out.append(("ul", 0, text))
            else:
                out.append(("p", 0, text))
    return out


def to_pdf(blocks: list[tuple[str, int, str]], target: Path) -> None:
    from fpdf import FPDF

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font(font, size=8)
            self.cell(0, 10, f"Exempeldokument – sida {self.page_no()}", align="C")

    pdf = Pdf(format="A4")
    if DEJAVU.exists():
        pdf.add_font("dejavu", "", str(DEJAVU / "DejaVuSans.ttf"))
        pdf.add_font("dejavu", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
        font = "dejavu"
    else:  # core font: Windows-1252 covers Swedish letters and typographic dashes
        pdf.core_fonts_encoding = "windows-1252"
        font = "helvetica"
    title = next(t for k, lvl, t in blocks if k == "h" and lvl == 1)
    pdf.set_title(title)
    pdf.set_author("Höglandsförbundet (exempel)")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    number = 0
    for kind, level, text in blocks:
        if kind == "h":
            number = 0
            size = {1: 18, 2: 14, 3: 12}.get(level, 11)
            if level == 2 and pdf.get_y() > 230:
                pdf.add_page()
            pdf.ln(3)
            pdf.set_font(font, "B", size)
            if level >= 2:
                pdf.start_section(text, level=level - 2)
            pdf.multi_cell(0, size * 0.5, text)
            pdf.ln(1)
        else:
            pdf.set_font(font, size=10.5)
            if kind == "ol":
                number += 1
                text = f"{number}. {text}"
            elif kind == "ul":
                text = f"• {text}"
            pdf.multi_cell(0, 5.2, text, padding=(0, 0, 0, 5 if kind != "p" else 0))
            pdf.ln(1.5)
    pdf.output(str(target))


def to_docx(blocks: list[tuple[str, int, str]], target: Path) -> None:
    import docx

    document = docx.Document()
    title = next(t for k, lvl, t in blocks if k == "h" and lvl == 1)
    document.core_properties.title = title
    document.core_properties.author = "Höglandsförbundet (exempel)"
    first_section = True
    for kind, level, text in blocks:
        if kind == "h" and level == 1:
            document.add_paragraph(text, style="Title")
        elif kind == "h":
            if level == 2 and first_section:  # cover page with the metadata, then the text
                document.add_page_break()
                first_section = False
            document.add_heading(text, level=level - 1)
        elif kind == "ul":
            document.add_paragraph(text, style="List Bullet")
        elif kind == "ol":
            document.add_paragraph(text, style="List Number")
        else:
            document.add_paragraph(text)
    document.save(str(target))


def to_html(markdown: str, target: Path) -> None:
    title = next(line[2:].strip() for line in markdown.splitlines() if line.startswith("# "))
    body = MarkdownIt("commonmark").render(markdown)
    target.write_text(
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n{body}</main>\n"
        "</body>\n</html>\n",
        encoding="utf-8",
    )


def main() -> None:
    for name, suffix in TARGETS.items():
        source = SRC / name
        markdown = source.read_text(encoding="utf-8")
        target = OUT / source.with_suffix(suffix).name
        if suffix == ".pdf":
            to_pdf(_blocks(markdown), target)
        elif suffix == ".docx":
            to_docx(_blocks(markdown), target)
        else:
            to_html(markdown, target)
        print(f"{source.relative_to(ROOT)} -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
