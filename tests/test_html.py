"""`make html`: every notebook as a static page with its stored figures, and an index in order."""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_static_html_has_every_notebook_in_course_order(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_html.py"), str(tmp_path)],
                   check=True, capture_output=True)
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    index = (tmp_path / "index.html").read_text()
    assert re.findall(r'href="([^"]+)\.html"', index) == notebooks
    for stem in notebooks:
        page = (tmp_path / f"{stem}.html").read_text()
        number = stem[:2]
        assert f"{number} ·" in page  # the notebook's title heading
        stored = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())
        figures = sum("image/png" in out.get("data", {}) for cell in stored["cells"]
                      for out in cell.get("outputs", []))
        assert page.count('src="data:image/png') >= figures  # every stored figure is embedded
        assert "Traceback" not in page
        assert 'src="mathjax/MathJax.js' in page  # formulas typeset offline
    assert (tmp_path / "mathjax" / "MathJax.js").exists()
    # every relative link of every page (the lecture notes, say) leads to a file that was written
    for page in tmp_path.glob("*.html"):
        for href in re.findall(r'href="([^"#:]+)"', page.read_text()):
            assert (tmp_path / href).exists(), (page.name, href)
