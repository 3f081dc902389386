"""The VP's anonymous annual report (scripts/report.py): the right numbers, small numbers never
shown or recoverable (tables, totals, shares, chart labels and bar lengths), a self-contained
accessible HTML page, clear errors, and a "nothing to report" page when there are no counts."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from matplotlib.patches import Rectangle

from scripts import report
from scripts.report import (FORMS, OUT_OF_SCOPE, Shown, build, by_quarter, cell, main, quarter_of,
                            share, shown, shown_total, total)

YEAR = 2026
# route: [Q1, Q2, Q3, Q4] for 2026, spread over weeks below.
ROUTE_QUARTERS = {
    "pesten": [6, 7, 8, 9],                 # all visible: year exactly 30
    "seksuele_intimidatie": [3, 0, 5, 6],   # year 14 -> "≥ 11"
    "discriminatie": [1, 2, 0, 1],          # year 4 -> "< 5"
    "agressie_geweld": [4, 4, 0, 0],        # year 8 -> "≥ 5" (no visible quarter)
    "arbeidsconflict": [10, 10, 10, 10],    # 40
    "prive_probleem": [1, 0, 0, 7],         # year 8 -> "≥ 7"
    "integriteit": [2, 2, 2, 2],            # year 8 -> "≥ 5"
    "beschuldigd": [5, 5, 5, 5],            # 20
    "crisis": [0, 0, 0, 3],                 # "< 5"
}
YEAR_ONLY = {"publiek:werknemer": 12, "publiek:omstander": 3, "publiek:vertrouwenspersoon": 0,
             "publiek:werkgever": 6, "uitkomst:verwijzing": 25, "uitkomst:vp_contact": 4}
# Weeks used per quarter: each quarter's count is split over two weeks, and most of these weeks
# start (Monday) in the previous quarter or year: their Thursday decides.
WEEKS = {1: ("2026-W01", "2026-W05"),   # W01: Monday 29 Dec 2025, Thursday 1 Jan 2026
         2: ("2026-W14", "2026-W20"),   # W14: Monday 30 Mar, Thursday 2 Apr
         3: ("2026-W27", "2026-W30"),   # W27: Monday 29 Jun, Thursday 2 Jul
         4: ("2026-W40", "2026-W53")}   # W40: Monday 28 Sep; W53 ends on Sunday 3 Jan 2027
LABEL = report.LABELS


def counts_for(quarters: dict[str, list[int]]) -> dict[str, dict[str, int]]:
    data: dict[str, dict[str, int]] = {w: {} for ws in WEEKS.values() for w in ws}
    for route, values in quarters.items():
        for q, n in enumerate(values, start=1):
            first, second = WEEKS[q]
            data[first][f"route:{route}"] = n // 2
            data[second][f"route:{route}"] = n - n // 2
    for name, n in YEAR_ONLY.items():
        data["2026-W20"][name] = n
    # Weeks of other years must not count in 2026 (their Thursday is in 2025 and 2027).
    data["2025-W52"] = {"route:discriminatie": 900, "route:pesten": 901}
    data["2027-W01"] = {"route:crisis": 902, "publiek:omstander": 903}
    return data


def run(tmp_path: Path, quarters=ROUTE_QUARTERS, name="counts.json", out="out") -> dict[str, Path]:
    path = tmp_path / name
    path.write_text(json.dumps(counts_for(quarters)))
    assert main(["--year", str(YEAR), "--counts", str(path), "--out", str(tmp_path / out)]) == 0
    return {p.name.removeprefix(f"wegwijzer-inzicht-{YEAR}"): p for p in (tmp_path / out).iterdir()}


def md_tables(text: str) -> dict[str, list[list[str]]]:
    """{caption: rows (header row first)} of the Markdown tables."""
    tables, caption = {}, None
    for line in text.splitlines():
        if line.startswith("**Tabel "):
            caption = line.strip("*").split(". ", 1)[1]
            tables[caption] = []
        elif line.startswith("|") and not line.startswith("|:"):
            tables[caption].append([c.strip() for c in line.strip("|").split("|")])
    return tables


class Page(HTMLParser):
    """The HTML's tables (as the VP reads them), images, links and the lang attribute."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.attrs: list[tuple[str, dict]] = []
        self.row_headers_ok = True
        self._where, self._text, self._rows = None, "", None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.attrs.append((tag, dict(attrs)))
        if tag == "table":
            self._rows = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("th", "td", "caption"):
            self._where, self._text = tag, ""
            if tag == "th" and dict(attrs).get("scope") not in ("col", "row"):
                self.row_headers_ok = False

    def handle_data(self, data):
        if self._where:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "caption":
            self._caption = self._text.split(". ", 1)[1]
        elif tag in ("th", "td"):
            self._rows[-1].append(self._text.strip())
        elif tag == "table":
            self.tables[self._caption] = self._rows
        if tag in ("th", "td", "caption"):
            self._where = None


def rows_of(table: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table[1:]}


def trend(tables) -> dict[str, list[str]]:
    return rows_of(tables[f"Gesprekken per soort vraag en per kwartaal in {YEAR}"])


# --- The pure rules ---

def test_small_numbers_and_totals_follow_the_rules():
    assert [shown(n) for n in range(7)] == ["< 5"] * 5 + ["5", "6"]
    assert shown_total([5, 6, 7]) == "18"          # no hidden part: exact
    assert shown_total([3, 6, 7]) == "≥ 13"        # a hidden part: at least the visible sum
    assert shown_total([4, 4]) == "≥ 5"            # nothing visible, true total 8
    assert shown_total([1, 2, 1]) == "< 5"         # true total below 5
    assert shown_total([0, 0]) == "< 5"
    visible = [cell(20), cell(30), cell(3), total([2, 40])]
    assert [share(s, visible) for s in visible] == ["40%", "60%", "< 5", "–"]
    # a chart can only draw what Shown allows: 5 for "< 5", N for "≥ N"
    assert cell(2) == Shown("< 5", 5, False) and total([3, 9]) == Shown("≥ 9", 9, False)


def test_a_week_belongs_to_the_quarter_and_year_of_its_thursday():
    assert quarter_of("2026-W01") == (2026, 1)   # starts on 29 December 2025
    assert quarter_of("2020-W53") == (2020, 4)
    assert quarter_of("2026-W14") == (2026, 2)   # starts on 30 March
    assert quarter_of("2026-W53") == (2026, 4)   # ends on 3 January 2027
    assert quarter_of("2025-W01") == (2025, 1)   # starts on 30 December 2024
    with pytest.raises(ValueError):
        quarter_of("2021-W53")                   # 2021 has 52 weeks
    quarters = by_quarter(counts_for(ROUTE_QUARTERS), YEAR)
    assert {r: quarters[f"route:{r}"] for r in ROUTE_QUARTERS} == ROUTE_QUARTERS


def test_the_grouping_matches_the_routing_table():
    routes = yaml.safe_load((ROOT / "knowledge" / "routes.yml").read_text())["routes"]
    assert set(FORMS) == {r for r, v in routes.items() if v["kind"] == "vorm"}
    assert set(OUT_OF_SCOPE) == {r for r, v in routes.items() if v["kind"] == "doorverwijzen"}


# --- What the VP reads ---

def test_the_report_shows_the_right_numbers_in_markdown_and_html(tmp_path, capsys):
    files = run(tmp_path)
    assert sorted(files) == ["-buiten-taak.png", "-soorten.png", "-trend.png", ".html", ".md"]
    printed = capsys.readouterr().out.splitlines()
    assert sorted(printed) == sorted(str(p) for p in files.values())
    md = md_tables(files[".md"].read_text())
    page = Page(files[".html"].read_text())
    assert page.tables == md  # the page and the Markdown show the very same tables
    rows = trend(md)
    assert rows["Pesten"] == ["6", "7", "8", "9", "30"]
    assert rows["Seksuele intimidatie"] == ["< 5", "< 5", "5", "6", "≥ 11"]
    assert rows["Discriminatie"] == ["< 5"] * 5
    assert rows["Agressie en geweld"] == ["< 5"] * 4 + ["≥ 5"]
    assert rows["Privéprobleem"] == ["< 5", "< 5", "< 5", "7", "≥ 7"]
    assert rows["Zelf beschuldigd"] == ["5", "5", "5", "5", "20"]
    assert rows["Crisis (acute nood)"] == ["< 5"] * 5
    assert rows["Alle soorten samen"] == ["≥ 21", "≥ 22", "≥ 28", "≥ 37", "≥ 108"]
    forms = rows_of(md[f"Gesprekken per vorm in {YEAR}"])
    assert forms == {"Pesten": ["30"], "Seksuele intimidatie": ["≥ 11"], "Discriminatie": ["< 5"],
                     "Agressie en geweld": ["≥ 5"], "De vier vormen samen": ["≥ 41"],
                     "Crisis (acute nood)": ["< 5"]}
    # shares only over the exact numbers (30 + 40 + 20 = 90)
    outside = rows_of(md[f"Vragen buiten de taak in {YEAR}"])
    assert outside["Arbeidsconflict"] == ["40", "44%"] and outside["Zelf beschuldigd"] == ["20", "22%"]
    assert outside["Privéprobleem"] == ["≥ 7", "–"] and outside["Integriteit"] == ["≥ 5", "–"]
    assert outside["Buiten de taak samen"] == ["≥ 67", "–"]
    who = rows_of(md[f"Wie stelde de vragen in {YEAR}"])
    assert who[LABEL["werknemer"]] == ["12", "67%"] and who[LABEL["werkgever"]] == ["6", "33%"]
    assert who[LABEL["omstander"]] == ["< 5", "< 5"] and who[LABEL["vertrouwenspersoon"]] == ["< 5", "< 5"]
    shown_outcomes = rows_of(md[f"Wat de assistent liet zien in {YEAR}"])
    assert shown_outcomes == {LABEL["verwijzing"]: ["25"], LABEL["vp_contact"]: ["< 5"]}


def test_no_hidden_value_and_no_exact_total_over_a_hidden_cell_anywhere(tmp_path):
    files = run(tmp_path)
    text = files[".md"].read_text()
    for tables in (md_tables(text), Page(files[".html"].read_text()).tables):
        numbers = [c for t in tables.values() for row in t[1:] for c in row[1:]]
        assert all(re.fullmatch(r"\d+|< 5|≥ \d+|\d+%|–", c) for c in numbers), numbers
        assert all(int(re.sub(r"\D", "", c)) >= 5 for c in numbers if re.search(r"\d", c) and "%" not in c)
        # property: in every trend row (and column), a hidden or lower-bound part => no exact total
        table = tables[f"Gesprekken per soort vraag en per kwartaal in {YEAR}"][1:]
        for line in [row[1:] for row in table] + [list(col) for col in zip(*[row[1:] for row in table])]:
            parts, whole = line[:-1], line[-1]
            if any(not p.isdigit() for p in parts):
                assert not whole.isdigit(), line
            else:
                assert whole == str(sum(map(int, parts))), line
        # "samen" rows of the year tables: exact only if every row above is exact
        for caption, first, last in ((f"Gesprekken per vorm in {YEAR}", 1, 5), (f"Vragen buiten de taak in {YEAR}", 1, 5)):
            rows = tables[caption]
            parts, whole = [r[1] for r in rows[first:last]], rows[last][1]
            assert any(not p.isdigit() for p in parts) and not whole.isdigit()
    # each hidden cell reads "< 5", and a year over a hidden quarter never shows its true value
    rows = trend(md_tables(text))
    for route, values in ROUTE_QUARTERS.items():
        cells = rows[LABEL[route]]
        assert [c for v, c in zip(values, cells) if v < 5] == ["< 5"] * sum(v < 5 for v in values)
        if min(values) < 5:
            assert cells[4] != str(sum(values)), (route, cells)
    assert not re.search(r"\b90[0-3]\b", text)  # the other years' weeks are left out


def test_hidden_values_do_not_change_a_single_byte_of_the_output(tmp_path):
    """The strongest check: change hidden cells (keeping each shown category) and every file,
    charts included, stays identical. So nothing in the report depends on a hidden value."""
    other = copy.deepcopy(ROUTE_QUARTERS)
    other["seksuele_intimidatie"][:2] = [0, 4]    # year 14 -> 15, still "≥ 11"
    other["agressie_geweld"] = [1, 4, 3, 2]       # year 8 -> 10, still "≥ 5"
    other["discriminatie"] = [0, 0, 0, 4]         # year 4 -> 4
    other["integriteit"] = [4, 4, 4, 4]           # year 8 -> 16, still "≥ 5"
    first, second = run(tmp_path, out="a"), run(tmp_path, other, name="other.json", out="b")
    assert {n: p.read_bytes() for n, p in first.items()} == {n: p.read_bytes() for n, p in second.items()}
    # and a visible change does show
    changed = copy.deepcopy(ROUTE_QUARTERS)
    changed["pesten"][0] = 16
    third = run(tmp_path, changed, name="changed.json", out="c")
    assert "| Pesten | 16 | 7 | 8 | 9 | 40 |" in third[".md"].read_text()


def figure_texts(figure) -> list[str]:
    texts = [t.get_text() for t in figure.texts]
    for ax in figure.axes:
        texts += [t.get_text() for t in ax.texts] + [ax.get_title()]
        texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        if ax.get_legend():
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in texts if t]


def bars(figure) -> list[tuple[float, str]]:
    """(drawn length, value label) of every bar, labels matched by position."""
    found = []
    for ax in figure.axes:
        labels = list(ax.texts)
        for patch in ax.patches:
            if not isinstance(patch, Rectangle):
                continue
            horizontal = patch.get_height() < 1
            length = patch.get_width() if horizontal else patch.get_height()
            centre = patch.get_y() + patch.get_height() / 2 if horizontal else patch.get_x() + patch.get_width() / 2
            label = min(labels, key=lambda t: abs((t.get_position()[1] if horizontal else t.get_position()[0]) - centre))
            found.append((length, label.get_text()))
    return found


def test_the_charts_show_small_numbers_as_less_than_5_in_labels_and_lengths():
    quarters = by_quarter(counts_for(ROUTE_QUARTERS), YEAR)
    charts = {b.name: b for s in build(quarters, YEAR, dt.date(2027, 1, 15)) for b in s.blocks
              if isinstance(b, report.Chart)}
    assert set(charts) == {"soorten", "trend", "buiten-taak"}
    true_year = {LABEL[r]: sum(v) for r, v in ROUTE_QUARTERS.items()}
    for name, chart in charts.items():
        texts = figure_texts(chart.figure)
        assert any("< 5" in t for t in texts) or name == "buiten-taak"
        # no text shows a number from 0 to 4 (digits inside words like "Q1" are fine)
        assert not [t for t in texts if re.search(r"(?<![\w,.])[0-4](?![\w,.%])", t)], texts
        assert not any("_" in t for t in texts)  # Dutch labels, never intent names
        drawn = bars(chart.figure)
        assert drawn
        for length, label in drawn:
            if label.startswith("< 5"):
                assert length == 5
            elif label.startswith("≥"):
                assert length == int(label.split()[1])
            else:
                assert length == int(label.split()[0]) >= 5
        assert "< 5" in chart.alt or name == "buiten-taak"
    # the year bars of hidden totals are never drawn at their true length
    soorten = charts["soorten"].figure.axes[0]
    lengths = dict(zip([t.get_text() for t in soorten.get_yticklabels()], [p.get_width() for p in soorten.patches]))
    assert lengths["Pesten"] == 30
    for label in ("Seksuele intimidatie", "Discriminatie", "Agressie en geweld", "Crisis (acute nood)"):
        assert lengths[label] != true_year[label]
    trend_lengths = [p.get_height() for ax in charts["trend"].figure.axes[:9] for p in ax.patches]
    hidden = [n for r in report.ROUTES for n in ROUTE_QUARTERS[r]]
    assert [h for h, n in zip(trend_lengths, hidden) if n < 5] == [5] * sum(n < 5 for n in hidden)


def test_the_html_page_is_self_contained_dutch_and_accessible(tmp_path):
    files = run(tmp_path)
    text = files[".html"].read_text()
    page = Page(text)
    assert ("html", {"lang": "nl"}) in page.attrs
    images = [a for tag, a in page.attrs if tag == "img"]
    assert len(images) == 3
    assert all(a["src"].startswith("data:image/png;base64,") and len(a.get("alt", "")) > 40 for a in images)
    for tag, attrs in page.attrs:
        for key in ("src", "href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(key) or ""), (tag, attrs)
        assert tag not in ("link", "script", "iframe")
    assert "url(" not in text and "@import" not in text
    assert page.row_headers_ok and "<caption>" in text
    for raw in ("seksuele_intimidatie", "prive_probleem", "agressie_geweld", "vp_contact", "route:", "publiek:"):
        assert raw not in text and raw not in files[".md"].read_text()
    assert "NEA 2018" in text and "15,6%" in text and "RI&amp;E" in text


# --- Errors and empty years ---

@pytest.mark.parametrize("content", ["{not json", json.dumps({"2026-W49": {"naam:Jan": 1}}),
                                     json.dumps({"2021-W53": {"route:pesten": 5}}), json.dumps([1, 2])])
def test_a_malformed_counts_file_is_a_clear_error(tmp_path, capsys, content):
    bad = tmp_path / "kapot.json"
    bad.write_text(content)
    assert main(["--year", "2026", "--counts", str(bad), "--out", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert "kapot.json" in error and "Traceback" not in error
    assert not (tmp_path / "out").exists()


def test_the_command_line_exits_1_without_a_traceback(tmp_path):
    bad = tmp_path / "kapot.json"
    bad.write_text("{not json")
    done = subprocess.run([sys.executable, "-m", "scripts.report", "--counts", str(bad), "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "kapot.json" in done.stderr and "Traceback" not in done.stderr
    missing = subprocess.run([sys.executable, "-m", "scripts.report", "--counts", str(tmp_path / "weg.json")],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "weg.json" in missing.stderr and "Traceback" not in missing.stderr


def nothing_page(tmp_path: Path) -> tuple[str, str]:
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [f"wegwijzer-inzicht-{YEAR}.html", f"wegwijzer-inzicht-{YEAR}.md"]
    md, page = (out / f"wegwijzer-inzicht-{YEAR}.md").read_text(), (out / f"wegwijzer-inzicht-{YEAR}.html").read_text()
    assert "nog niets te melden" in md and "nog niets te melden" in page and 'lang="nl"' in page
    return md, page


def test_counting_off_gives_the_nothing_to_report_page(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WEGWIJZER_INSIGHT", "off")
    monkeypatch.setenv("WEGWIJZER_INSIGHT_FILE", str(tmp_path / "never.json"))
    assert main(["--year", str(YEAR), "--out", str(tmp_path / "out")]) == 0
    assert "Counting is switched off" in capsys.readouterr().out
    md, _ = nothing_page(tmp_path)
    assert "staat uit" in md


def test_a_year_without_counts_gives_the_nothing_to_report_page(tmp_path, monkeypatch, capsys):
    store = tmp_path / "insight.json"
    store.write_text(json.dumps({"2025-W52": {"route:pesten": 8}, "2027-W01": {"route:pesten": 9}}))
    monkeypatch.delenv("WEGWIJZER_INSIGHT", raising=False)
    monkeypatch.delenv("WEGWIJZER_INSIGHT_REDIS_URL", raising=False)
    monkeypatch.setenv("WEGWIJZER_INSIGHT_FILE", str(store))  # the configured store, no --counts
    assert main(["--year", str(YEAR), "--out", str(tmp_path / "out")]) == 0
    assert f"No counts for {YEAR}" in capsys.readouterr().out
    nothing_page(tmp_path)


def test_the_configured_store_and_the_default_year_are_used(tmp_path, monkeypatch):
    store = tmp_path / "insight.json"
    store.write_text(json.dumps(counts_for(ROUTE_QUARTERS)))
    monkeypatch.delenv("WEGWIJZER_INSIGHT", raising=False)
    monkeypatch.delenv("WEGWIJZER_INSIGHT_REDIS_URL", raising=False)
    monkeypatch.setenv("WEGWIJZER_INSIGHT_FILE", str(store))
    assert main(["--out", str(tmp_path / "out")], today=dt.date(2026, 6, 1)) == 0
    text = (tmp_path / "out" / "wegwijzer-inzicht-2026.md").read_text()
    assert "| Pesten | 6 | 7 | 8 | 9 | 30 |" in text and "de cijfers lopen tot 1 juni 2026" in text
