"""Render the course as static HTML from the notebooks' stored outputs (nothing is executed).

    python scripts/build_html.py OUTDIR

Writes one page per notebook and an index.html listing them in course order. MathJax is copied
next to the pages (from the jupyter-server-mathjax package), so formulas are typeset offline too.
"""
import html
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]


def title_of(nb, fallback):
    """The notebook's first '# ' heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def main(outdir):
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    import jupyter_server_mathjax

    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(mathjax, out / "mathjax", dirs_exist_ok=True)
    exporter = HTMLExporter(template_name="lab",
                            mathjax_url="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe")
    # the notes, beside the pages: a notebook links them as ../lecture-notes.md (from notebooks/)
    shutil.copyfile(ROOT / "lecture-notes.md", out / "lecture-notes.md")
    entries = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        body = body.replace('href="../lecture-notes.md"', 'href="lecture-notes.md"')
        (out / f"{path.stem}.html").write_text(body, encoding="utf-8")
        entries.append((path.stem, title_of(nb, path.stem)))
    items = "\n".join(f'    <li><a href="{stem}.html">{html.escape(title)}</a></li>' for stem, title in entries)
    (out / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Backprop: the course</title>
<style>body {{ font-family: sans-serif; max-width: 46em; margin: 3em auto; line-height: 1.5 }}</style>
</head><body>
<h1>Backprop: how a neural network computes and learns</h1>
<p>The course's notebooks with their stored outputs, in order. Each page is static: the figures
are pictures, and the sliders of the live notebooks appear as their static twins.</p>
<ol>
{items}
</ol>
<p>The lecture notes the course follows, as received (Markdown with LaTeX formulas):
<a href="lecture-notes.md">lecture-notes.md</a>.</p>
</body></html>
""", encoding="utf-8")
    print(f"wrote {len(entries)} pages and index.html to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "html")
