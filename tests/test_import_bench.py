"""The import benchmark (benchmarks/importbench.py, wired into benchmarks/run.py) measures what it says: forms and cells per format."""

from __future__ import annotations

from benchmarks.importbench import run


def test_bench_counts_forms_and_cells_per_format():
    result = run(3, ("docx", "xlsx"))
    assert set(result) == {"docx", "xlsx", "txt"}
    for fmt in ("docx", "xlsx"):
        assert result[fmt]["forms"] == 3
        assert result[fmt]["cells_total"] > 50 and result[fmt]["cells_right"] == result[fmt]["cells_total"]
        assert result[fmt]["forms_per_second"] > 0
    assert result["txt"]["forms"] == 9 and result["txt"]["cells_right"] == result["txt"]["cells_total"]
