"""An anonymous annual report for the vertrouwenspersoon (VP) from the weekly insight counts.

Reads the counts of channels/insight.py (the configured store, or --counts FILE), adds the
weeks up per calendar quarter (a week belongs to the quarter and year of its Thursday, the
ISO rule) and writes, in Dutch, a Markdown file, one self-contained HTML page and the charts
as separate PNGs, ready to be used in the VP's jaarverslag.

Small numbers are protected everywhere (tables, chart labels, bar lengths): a count below 5
is shown as "< 5"; a total is exact only when none of its parts is hidden, otherwise "< 5"
or "≥ N" (N = the visible parts' sum, at least 5); shares are computed over exact numbers
only. Every number in the report goes through `cell` / `total`, and the charts only ever
see their `Shown` results, never a true count.

Usage: python -m scripts.report [--year YYYY] [--counts FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence, Union

import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from channels.insight import AUDIENCES, COUNTERS, OUTCOMES, ROUTES, FileStore, configured_store  # noqa: E402

THRESHOLD = 5
SMALL = "< 5"
FORMS = ("pesten", "seksuele_intimidatie", "discriminatie", "agressie_geweld")
OUT_OF_SCOPE = ("arbeidsconflict", "prive_probleem", "integriteit", "beschuldigd")
CRISIS = "crisis"
LABELS = {
    "pesten": "Pesten", "seksuele_intimidatie": "Seksuele intimidatie",
    "discriminatie": "Discriminatie", "agressie_geweld": "Agressie en geweld",
    "arbeidsconflict": "Arbeidsconflict", "prive_probleem": "Privéprobleem",
    "integriteit": "Integriteit", "beschuldigd": "Zelf beschuldigd", "crisis": "Crisis (acute nood)",
    "werknemer": "Werknemer die het zelf meemaakt", "omstander": "Omstander (ziet het bij een ander)",
    "vertrouwenspersoon": "Vertrouwenspersoon", "werkgever": "Werkgever",
    "verwijzing": "Verwijzing naar andere hulp (zoals huisarts, bedrijfsarts of crisisnummers)",
    "vp_contact": "Hoe je de vertrouwenspersoon bereikt",
}
QUARTERS = ("Q1 (jan–mrt)", "Q2 (apr–jun)", "Q3 (jul–sep)", "Q4 (okt–dec)")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
COLOUR, COLOUR_LOWER, COLOUR_SMALL = "#1f5f8b", "#8fbcdb", "#e3e3e3"


# --- Small-number protection: the only place where a count becomes text or a bar length ---

@dataclass(frozen=True)
class Shown:
    """A number as the report may show it: its text and the bar length a chart may draw."""
    text: str
    height: int
    exact: bool

    @property
    def small(self) -> bool:
        return self.text == SMALL


def cell(n: int) -> Shown:
    """One count: exact from 5 up, otherwise "< 5" (drawn at the fixed length 5)."""
    return Shown(str(n), n, True) if n >= THRESHOLD else Shown(SMALL, THRESHOLD, False)


def total(parts: Iterable[int]) -> Shown:
    """A sum of shown counts: exact only if no part is hidden; else "< 5" or "≥ N", where N is
    the visible parts' sum (at least 5), so that no hidden part can be worked out."""
    parts = list(parts)
    if all(p >= THRESHOLD for p in parts):
        return cell(sum(parts))
    if sum(parts) < THRESHOLD:
        return cell(sum(parts))
    floor = max(THRESHOLD, sum(p for p in parts if p >= THRESHOLD))
    return Shown(f"≥ {floor}", floor, False)


def shown(n: int) -> str:
    return cell(n).text


def shown_total(parts: Iterable[int]) -> str:
    return total(parts).text


def share(item: Shown, among: Iterable[Shown]) -> str:
    """`item`'s share of the exact numbers in `among`; "< 5" for a hidden one, "–" for "≥ N"."""
    if item.small:
        return SMALL
    base = sum(s.height for s in among if s.exact)
    if not item.exact or not base:
        return "–"
    return f"{round(100 * item.height / base)}%"


# --- Counts per quarter ---

def quarter_of(week: str) -> tuple[int, int]:
    """(year, quarter) of the Thursday of an ISO week such as "2026-W01" (ValueError if the
    year has no such week)."""
    thursday = dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 4)
    return thursday.year, (thursday.month - 1) // 3 + 1


def by_quarter(counts: Mapping[str, Mapping[str, int]], year: int) -> dict[str, list[int]]:
    """{counter: [Q1, Q2, Q3, Q4]} over the weeks that belong to `year`."""
    table = {name: [0, 0, 0, 0] for name in COUNTERS}
    for week, names in counts.items():
        week_year, quarter = quarter_of(week)
        if week_year == year:
            for name, n in names.items():
                table[name][quarter - 1] += n
    return table


# --- The document: sections of paragraphs, bullet lists, tables and charts ---

@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]  # the first cell of a row is its header
    note: str = ""


@dataclass
class Chart:
    name: str  # the PNG's suffix
    figure: Figure
    alt: str
    caption: str


Block = Union[str, list, Table, Chart]


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


def route_year(quarters: dict[str, list[int]], route: str) -> Shown:
    return total(quarters[f"route:{route}"])  # a year is the sum of the quarters shown in §3


def leaves(quarters: dict[str, list[int]], routes: Iterable[str]) -> list[int]:
    return [n for r in routes for n in quarters[f"route:{r}"]]


def bar_chart(items: Sequence[tuple[str, Shown]], title: str, extra: Mapping[str, str] | None = None) -> Figure:
    """Horizontal bars; a hidden count is a light hatched bar of length 5, "≥ N" is drawn at N."""
    figure = Figure(figsize=(8, 0.6 * len(items) + 1.6), constrained_layout=True)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    top = max([s.height for _, s in items] + [THRESHOLD])
    for y, (label, s) in enumerate(reversed(items)):
        colour = COLOUR if s.exact else COLOUR_SMALL if s.small else COLOUR_LOWER
        ax.barh(y, s.height, color=colour, hatch=None if s.exact else "///", edgecolor="#555555")
        ax.text(s.height + top * 0.02, y, s.text + (extra or {}).get(label, ""), va="center", fontsize=11)
    ax.set_yticks(range(len(items)))
    ax.set_yticklabels([label for label, _ in reversed(items)], fontsize=11)
    ax.set_xticks([])
    ax.set_xlim(0, top * 1.3)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, loc="left", fontsize=13)
    legend(ax, [s for _, s in items], columns=1)  # one under the other: they fit the width
    return figure


def trend_chart(rows: Sequence[tuple[str, list[Shown]]], title: str) -> Figure:
    """One small panel per kind of question, four bars (the quarters) each, on one scale."""
    figure = Figure(figsize=(10, 9), constrained_layout=True)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(4, 3, height_ratios=[1, 1, 1, 0.12])
    top = max([s.height for _, cells in rows for s in cells] + [THRESHOLD])
    first = None
    for number, (label, cells) in enumerate(rows):
        ax = figure.add_subplot(grid[number // 3, number % 3], sharey=first)
        first = first or ax
        for x, s in enumerate(cells):
            colour = COLOUR if s.exact else COLOUR_SMALL
            ax.bar(x, s.height, color=colour, hatch=None if s.exact else "///", edgecolor="#555555")
            ax.text(x, s.height + top * 0.03, s.text, ha="center", fontsize=10)
        ax.set_xticks(range(4))
        ax.set_xticklabels([q.split()[0] for q in QUARTERS])
        ax.set_yticks([])
        ax.set_ylim(0, top * 1.25)
        ax.set_title(label, fontsize=11)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    figure.suptitle(title, fontsize=13)
    key = figure.add_subplot(grid[3, :])
    key.axis("off")
    legend(key, [s for _, cells in rows for s in cells], loc="center")
    return figure


def legend(ax, values: Iterable[Shown], loc: str = "upper center", columns: int | None = None) -> None:
    """Explain the hatched bars (only those the chart has)."""
    values = list(values)
    handles = []
    if any(s.small for s in values):
        handles.append(Patch(facecolor=COLOUR_SMALL, hatch="///", edgecolor="#555555",
                             label="minder dan 5 (de lengte van de balk zegt niets)"))
    if any(not s.exact and not s.small for s in values):
        handles.append(Patch(facecolor=COLOUR_LOWER, hatch="///", edgecolor="#555555",
                             label="minstens dit aantal (een deel ervan is kleiner dan 5)"))
    if handles:
        where = {} if loc == "center" else {"bbox_to_anchor": (0.5, -0.02)}
        ax.legend(handles=handles, loc=loc, ncol=columns or len(handles), frameon=False, fontsize=10, **where)


def alt_text(kind: str, items: Iterable[tuple[str, str]]) -> str:
    return f"{kind}: " + "; ".join(f"{label} {text}" for label, text in items) + "."


def dutch_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def build(quarters: dict[str, list[int]], year: int, today: dt.date) -> list[Section]:
    """The report's sections for a year with counts."""
    last_week = dt.date(year, 12, 28).isocalendar()[1]
    first, last = dt.date.fromisocalendar(year, 1, 1), dt.date.fromisocalendar(year, last_week, 7)
    heel = f"Heel {year}"
    intro = Section("Wat zijn deze cijfers?", [
        "Dit overzicht laat zien waar de gesprekken met de Wegwijzer-assistent over gingen. De "
        "assistent is een anonieme chatbot voor vragen over ongewenste omgangsvormen op het werk.",
        "Per week is geteld hoeveel gesprekken over een soort vraag gingen, wie de vraag stelde (als "
        "iemand dat zei) en wat de assistent liet zien. Er is geen tekst bewaard, geen naam en geen "
        "tijdstip: alleen de week en de aantallen.",
        "Dit zijn dus geen meldingen bij jou als vertrouwenspersoon. Wie met de assistent praat, komt "
        "niet altijd bij jou. En één gesprek kan over meer dan één soort vraag gaan: het telt dan bij "
        "elke soort één keer mee. Tel de aantallen daarom niet op tot een aantal gesprekken.",
        f"Periode: week 1 tot en met week {last_week} van {year} (maandag {dutch_date(first)} tot en "
        f"met zondag {dutch_date(last)}). Een week telt mee in het kwartaal waarin de donderdag van "
        "die week valt." + (f" Het jaar is nog niet voorbij: de cijfers lopen tot {dutch_date(today)}."
                            if today <= last else ""),
        "Kleine aantallen: zodat niemand te herkennen is, staat een aantal onder de 5 er als "
        "\"< 5\", en een totaal waarin zo'n klein aantal zit alleen als \"minstens\" (bijvoorbeeld \"≥ 20\").",
        "Je kunt de tabellen en grafieken gebruiken bij de kengetallen en de analyse in je jaarverslag.",
    ])

    kinds = [(LABELS[r], route_year(quarters, r)) for r in (*FORMS, CRISIS)]
    forms_total = total(leaves(quarters, FORMS))
    forms = Section("Soorten ongewenste omgangsvormen", [
        "De Arbowet noemt vier vormen van ongewenste omgangsvormen: pesten, seksuele intimidatie, "
        "discriminatie en agressie en geweld. Zo vaak kwam elke vorm ter sprake. Crisis staat er "
        "apart bij: gesprekken waarin iemand in acute nood leek en de assistent meteen de nummers "
        "voor directe hulp gaf.",
        Table(f"Gesprekken per vorm in {year}", ["Soort", f"Gesprekken in {year}"],
              [[label, s.text] for label, s in kinds[:4]] + [["De vier vormen samen", forms_total.text],
                                                             [kinds[4][0], kinds[4][1].text]],
              "\"Samen\" telt hoe vaak een vorm ter sprake kwam: een gesprek over twee vormen telt twee keer."),
        Chart("soorten", bar_chart(kinds, f"Gesprekken per vorm, {year}"),
              alt_text(f"Staafdiagram van het aantal gesprekken per vorm in {year}",
                       [(label, s.text) for label, s in kinds]),
              f"Gesprekken per vorm in {year}. Gearceerd: een klein aantal, de lengte is niet op schaal."),
    ])

    trend_rows = [(LABELS[r], [cell(n) for n in quarters[f"route:{r}"]]) for r in ROUTES]
    together = [total(quarters[f"route:{r}"][q] for r in ROUTES) for q in range(4)]
    trend = Section("Trend per kwartaal", [
        "Zo verdelen de gesprekken zich over het jaar. Een stijging of daling zegt pas iets als de "
        "aantallen groot genoeg zijn.",
        Table(f"Gesprekken per soort vraag en per kwartaal in {year}", ["Soort vraag", *QUARTERS, heel],
              [[label, *(s.text for s in cells), route_year(quarters, r).text]
               for r, (label, cells) in zip(ROUTES, trend_rows)]
              + [["Alle soorten samen", *(s.text for s in together), total(leaves(quarters, ROUTES)).text]],
              "\"Alle soorten samen\" telt soorten vragen, geen gesprekken: één gesprek kan bij meer "
              "soorten meetellen."),
        Chart("trend", trend_chart(trend_rows, f"Gesprekken per kwartaal, {year}"),
              "Staafdiagrammen per soort vraag, per kwartaal: " + " ".join(
                  f"{label}: " + ", ".join(f"{q.split()[0]} {s.text}" for q, s in zip(QUARTERS, cells)) + "."
                  for label, cells in trend_rows),
              f"Gesprekken per soort vraag en per kwartaal in {year}. Gearceerd: minder dan 5, de hoogte "
              "is niet op schaal."),
    ])

    all_routes = [route_year(quarters, r) for r in ROUTES]
    outside = [(LABELS[r], route_year(quarters, r)) for r in OUT_OF_SCOPE]
    outside_total = total(leaves(quarters, OUT_OF_SCOPE))
    inside_total = total(leaves(quarters, (*FORMS, CRISIS)))
    scope = Section("Vragen buiten de taak van de vertrouwenspersoon", [
        "Sommige vragen horen niet bij jouw taak als vertrouwenspersoon: een conflict over het werk "
        "zelf, een probleem thuis, een vraag over integriteit (zoals fraude) of iemand die zelf "
        "beschuldigd wordt. De assistent legt dan uit waar iemand wel terecht kan. Het schema voor een "
        "jaarverslag vraagt ook naar zulke zaken.",
        Table(f"Vragen buiten de taak in {year}",
              ["Soort vraag", f"Gesprekken in {year}", "Aandeel van de getoonde aantallen"],
              [[label, s.text, share(s, all_routes)] for label, s in outside]
              + [["Buiten de taak samen", outside_total.text, share(outside_total, all_routes)],
                 ["Binnen de taak (de vier vormen en crisis)", inside_total.text, share(inside_total, all_routes)]],
              "Het aandeel is berekend over alle soorten vragen, maar alleen over de aantallen die hier "
              "precies staan. Bij \"< 5\" staat geen percentage, bij \"≥\" een streepje."),
        Chart("buiten-taak", bar_chart(outside, f"Vragen buiten de taak, {year}",
                                       {label: f" ({share(s, all_routes)})" for label, s in outside if s.exact}),
              alt_text(f"Staafdiagram van de vragen buiten de taak in {year}",
                       [(label, s.text + (f" ({share(s, all_routes)})" if s.exact else "")) for label, s in outside]),
              f"Vragen buiten de taak in {year}, met tussen haakjes het aandeel van de getoonde aantallen."),
    ])

    audience = [(LABELS[a], cell(sum(quarters[f"publiek:{a}"]))) for a in AUDIENCES]
    outcomes = [(LABELS[o], cell(sum(quarters[f"uitkomst:{o}"]))) for o in OUTCOMES]
    who = Section("Wie stelde de vragen en wat liet de assistent zien?", [
        "Aan het begin van een gesprek kan iemand zeggen wie hij of zij is. Niet iedereen doet dat: "
        "deze aantallen zijn dus kleiner dan het aantal gesprekken.",
        Table(f"Wie stelde de vragen in {year}",
              ["Wie", f"Gesprekken in {year}", "Aandeel van de getoonde aantallen"],
              [[label, s.text, share(s, [v for _, v in audience])] for label, s in audience]),
        "Daarnaast is geteld in hoeveel gesprekken de assistent een verwijzing gaf of liet zien hoe "
        "iemand jou kan bereiken.",
        Table(f"Wat de assistent liet zien in {year}", ["Wat", f"Gesprekken in {year}"],
              [[label, s.text] for label, s in outcomes]),
    ])

    national = Section("Vergelijking met landelijke cijfers", [
        "De Wegwijzer Vertrouwenspersoon van TNO geeft deze landelijke cijfers:",
        ["Ongeveer 1 op de 6 werknemers in Nederland (15,6%) krijgt weleens te maken met ongewenste "
         "omgangsvormen door collega's of leidinggevenden (factsheet 'Interne ongewenste "
         "omgangsvormen' in de Wegwijzer).",
         "Ruim 60% van de werknemers kan een vertrouwenspersoon raadplegen, 12,5% kan dat niet en "
         "25% weet het niet (Nationale Enquête Arbeidsomstandigheden 2018, TNO/CBS).",
         "In grote organisaties, met 250 werknemers of meer, is er bijna twee keer zo vaak een "
         "vertrouwenspersoon als in kleine organisaties met minder dan 50 werknemers (NEA 2018).",
         "Per sector verschilt dat veel. In de landbouw (40,8%), de horeca (43,1%), de handel (45,7%) "
         "en de zakelijke dienstverlening (52,7%) kunnen werknemers minder vaak bij een "
         "vertrouwenspersoon terecht; in het bestuur (89,7%), het onderwijs (78,2%), de zorg (75,0%) "
         "en de financiële dienstverlening (72,9%) juist vaker (NEA 2018)."],
        "Let op: deze cijfers meten iets anders. Ze komen uit onderzoek onder werknemers: hoeveel "
        "mensen iets meemaken en of ze een vertrouwenspersoon hebben. Dit overzicht telt vragen aan "
        "een chatbot. Je kunt de aantallen hier dus niet omrekenen naar een percentage van jullie "
        "werknemers. En weinig vragen betekent niet dat er weinig gebeurt.",
    ])

    tips = Section("Waar kun je op letten?", [[
        "Stijgt een vorm over de kwartalen? Kijk of er in die tijd iets veranderde in de organisatie, "
        "zoals een reorganisatie of veel werkdruk. Zoek niet naar personen.",
        "Veel vragen buiten jouw taak? Ga na of mensen weten waar ze wel terecht kunnen (HR, "
        "bedrijfsarts, meldpunt integriteit) en of die informatie makkelijk te vinden is.",
        "Veel vragen van omstanders? Collega's zien misschien iets gebeuren. Voorlichting over wat "
        "een omstander kan doen, kan dan helpen.",
        "Waren er gesprekken over acute nood? Check of de nummers voor directe hulp bekend zijn.",
        "Weinig vragen, of weinig gesprekken waarin jouw contactgegevens te zien waren? Ga na of "
        "werknemers jou kennen en weten hoe ze je bereiken.",
        "Kleine aantallen: trek geen harde conclusies uit een paar gesprekken. Een verschil van een "
        "paar gesprekken kan toeval zijn.",
        "Vergelijk met vorige jaren en met andere bronnen, zoals het medewerkerstevredenheidsonderzoek.",
        "Geef je bevindingen door aan de werkgever voor de RI&E en het plan van aanpak tegen "
        "ongewenste omgangsvormen.",
        "Houd deze cijfers in je jaarverslag apart van je eigen meldingen: het zijn andere cijfers.",
    ]])
    return [intro, forms, trend, scope, who, national, tips]


def nothing(year: int, reason: str) -> list[Section]:
    """The report for a year without counts."""
    return [Section("Nog niets te melden", [
        f"Er is over {year} nog niets te melden. {reason}",
        "Dit overzicht telt per week hoeveel gesprekken met de anonieme Wegwijzer-assistent over een "
        "soort vraag gingen, zonder tekst of namen. Zodra er gesprekken geteld zijn, staan hier de "
        "aantallen per vorm, per kwartaal, de vragen buiten je taak en wie de vragen stelde.",
    ])]


# --- Rendering ---

def title_of(year: int) -> str:
    return f"Wegwijzer-assistent: anoniem overzicht van de vragen in {year}"


def to_markdown(year: int, sections: list[Section], stem: str) -> str:
    lines = [f"# {title_of(year)}", "", "*Voor de vertrouwenspersoon ongewenste omgangsvormen.*", ""]
    number = 0
    for section in sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, str):
                lines += [block, ""]
            elif isinstance(block, list):
                lines += [f"- {item}" for item in block] + [""]
            elif isinstance(block, Table):
                number += 1
                lines += [f"**Tabel {number}. {block.caption}**", "", "| " + " | ".join(block.header) + " |",
                          "|" + "|".join([":---"] + ["---:"] * (len(block.header) - 1)) + "|"]
                lines += ["| " + " | ".join(row) + " |" for row in block.rows]
                lines += ["", f"*{block.note}*", ""] if block.note else [""]
            else:
                lines += [f"![{block.alt}]({stem}-{block.name}.png)", "", f"*{block.caption}*", ""]
    return "\n".join(lines)


CSS = """body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#1a1a1a}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:2px solid #1f5f8b}
table{border-collapse:collapse;margin:1rem 0}caption{text-align:left;font-weight:bold;padding-bottom:.3rem}
th,td{border:1px solid #bbb;padding:.3rem .6rem}thead th{background:#e8f0f6}td{text-align:right}
th[scope=row]{text-align:left;font-weight:normal}.note,figcaption{font-size:.9rem;color:#444}
img{max-width:100%;height:auto}"""


def to_html(year: int, sections: list[Section], pngs: Mapping[str, bytes]) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title_of(year))}</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<main>",
           f"<h1>{e(title_of(year))}</h1>", "<p><em>Voor de vertrouwenspersoon ongewenste omgangsvormen.</em></p>"]
    number = 0
    for section in sections:
        out.append(f"<section><h2>{e(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, str):
                out.append(f"<p>{e(block)}</p>")
            elif isinstance(block, list):
                out.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in block) + "</ul>")
            elif isinstance(block, Table):
                number += 1
                head = "".join(f'<th scope="col">{e(h)}</th>' for h in block.header)
                body = "".join(f'<tr><th scope="row">{e(row[0])}</th>' + "".join(f"<td>{e(c)}</td>" for c in row[1:])
                               + "</tr>" for row in block.rows)
                out.append(f"<table><caption>Tabel {number}. {e(block.caption)}</caption>"
                           f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
                if block.note:
                    out.append(f'<p class="note">{e(block.note)}</p>')
            else:
                data = base64.b64encode(pngs[block.name]).decode()
                out.append(f'<figure><img src="data:image/png;base64,{data}" alt="{e(block.alt)}">'
                           f"<figcaption>{e(block.caption)}</figcaption></figure>")
        out.append("</section>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()


# --- Command line ---

def load(counts_file: str | None) -> tuple[dict | None, str]:
    """(counts, where they came from); counts is None when counting is switched off."""
    if counts_file:
        path = Path(counts_file)
        if not path.is_file():
            raise ValueError(f"{path}: no such counts file")
        return FileStore(path).read(), str(path)
    store = configured_store()
    if store is None:
        return None, "WEGWIJZER_INSIGHT=off"
    origin = str(store.path) if isinstance(store, FileStore) else "the Redis store (WEGWIJZER_INSIGHT_REDIS_URL)"
    try:
        return store.read(), origin
    except ValueError:
        raise
    except Exception as error:  # a Redis that cannot be reached; never print the URL
        raise ValueError(f"{origin}: could not read the counts ({type(error).__name__})") from None


def main(argv: Sequence[str] | None = None, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    parser = argparse.ArgumentParser(prog="python -m scripts.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=today.year, help="calendar year (default: this year)")
    parser.add_argument("--counts", help="a counts JSON file instead of the configured store")
    parser.add_argument("--out", default="reports", help="output folder (default: reports/)")
    args = parser.parse_args(argv)
    if not 1 <= args.year <= 9998:
        parser.error(f"--year {args.year} is not a year")
    try:
        counts, origin = load(args.counts)
        for week in counts or {}:
            try:
                quarter_of(week)
            except ValueError:
                raise ValueError(f"{origin}: {week} is not a week of {week[:4]}") from None
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    quarters = by_quarter(counts or {}, args.year)
    if counts is None:
        print("Counting is switched off (WEGWIJZER_INSIGHT=off): the report says there is nothing to report yet.")
        sections = nothing(args.year, "Het tellen van gesprekken staat uit (WEGWIJZER_INSIGHT=off).")
    elif not any(any(v) for v in quarters.values()):
        print(f"No counts for {args.year} in {origin}: the report says there is nothing to report yet.")
        sections = nothing(args.year, "Er zijn nog geen gesprekken met de assistent geteld in dit jaar.")
    else:
        sections = build(quarters, args.year, today)

    out = Path(args.out)
    stem = f"wegwijzer-inzicht-{args.year}"
    charts = [b for s in sections for b in s.blocks if isinstance(b, Chart)]
    pngs = {chart.name: png(chart.figure) for chart in charts}
    files = {out / f"{stem}.md": to_markdown(args.year, sections, stem).encode(),
             out / f"{stem}.html": to_html(args.year, sections, pngs).encode()}
    files.update({out / f"{stem}-{name}.png": data for name, data in pngs.items()})
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, data in files.items():
            path.write_bytes(data)
    except OSError as error:
        print(f"error: cannot write the report to {out}: {error.strerror or error}", file=sys.stderr)
        return 1
    for path in files:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
