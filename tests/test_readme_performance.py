"""The README speaks to beginners: its performance section is a short summary that links the
benchmark report, and neither says "issue" (the report once read as a developer log)."""
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def performance_section():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Performance: `make bench`")
    end = readme.find("\n## ", start + 1)
    return readme[start:end if end > 0 else None]


def test_the_readmes_performance_section_is_short_and_links_the_report():
    section = performance_section()
    assert "](benchmarks/README.md)" in section and "make bench" in section
    assert len(section.splitlines()) <= 25
    assert not re.search(r"\bissue\b", section, re.I)


def test_the_benchmark_report_has_the_details_and_no_issue_wording():
    report = (ROOT / "benchmarks" / "README.md").read_text()
    for part in ("## Latest run", "## The targets", "## Why two targets are missed", "W1:", "W3-f32"):
        assert part in report, part
    assert not re.search(r"\bissue\b", report, re.I)
    # the summary's headline figures are the report's
    for figure in ("5.9", "4.1", "2.2", "0.77", "0.71", "36 s"):
        assert figure in performance_section() and figure in report, figure
