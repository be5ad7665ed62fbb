"""Server-rendered SVG: accessible, escaped, script-free."""

from __future__ import annotations

from tuoyu_portal.dashboard.charts import bar_chart


def test_it_escapes_labels_and_titles() -> None:
    svg = bar_chart("<b>标题</b>", [("<script>x</script>", 3), ("乙", None)], desc="说明")

    assert "<script" not in svg
    assert "&lt;script&gt;" in svg and "&lt;b&gt;" in svg


def test_it_labels_the_chart_for_assistive_technology() -> None:
    svg = bar_chart(
        "每千人口托位数", [("岚山区", 5.0)], desc="各区县", target=4.5, target_label="目标"
    )

    assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert "<title" in svg and "<desc" in svg
    assert "目标 4.5" in svg


def test_it_draws_no_bar_for_a_missing_value() -> None:
    svg = bar_chart("t", [("甲", None)])

    assert "<rect" not in svg and "—" in svg
