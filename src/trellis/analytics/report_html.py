"""Render the organization report as one self-contained HTML page.

Charts are drawn with matplotlib's Agg canvas and embedded as base64 PNG ``data:`` URIs;
the CSS is inline; the page names no external URL at all, so it opens offline. Jinja2
autoescapes every value (names and citations are user text). The page template is
``templates/report.html.j2``, shipped as package data.
"""

from __future__ import annotations

import base64
import io
import math
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib import rc_context
from matplotlib.figure import Figure

from . import compare_chart, evidence_chart, strategy_chart
from .compare import FEW, MANY, MICRO, PROMOTION, Cell, Measure

if TYPE_CHECKING:
    from trellis.services.report import ReportData


def png(figure: Figure) -> str:
    buffer = io.BytesIO()
    with rc_context({"font.family": "DejaVu Sans", "font.size": 9}):
        figure.savefig(buffer, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _fmt(c: Cell | None, unit: str) -> tuple[str, str]:
    """(value text, sample text) for a cell."""
    if c is None:
        return "\u2013", ""
    if c.value is None:
        return c.note or "\u2013", ""
    if unit == "share":
        text = f"{c.value:.1%}"
    elif unit == "%":
        text = f"{c.value:.2f}%"
    elif unit == "" and float(c.value).is_integer() and c.value == c.n:
        return f"{int(c.value):,}", ""
    else:
        text = f"{c.value:,.2f}" + (f" {unit}" if unit else "")
    return text, f"n={c.n:,}"


def _row(m: Measure) -> dict[str, Any]:
    left = m.cells.get(PROMOTION) or m.cells.get(FEW)
    right = m.cells.get(MICRO) or m.cells.get(MANY)
    split = FEW in m.cells
    return {"label": m.label, "left": _fmt(left, m.unit), "right": _fmt(right, m.unit),
            "prefix": ("few: ", "many: ") if split else ("", ""),
            "missing": (left is not None and left.value is None,
                        right is not None and right.value is None)}



SUITABILITY = (("frequency", "per_person_year"), ("salary", "median_pay_change"),
               ("salary", "share_of_growth"), ("motivation", "engagement_change"),
               ("growth", "promotions"), ("growth", "months_to_promotion"))


def render(data: ReportData, *, title: str) -> str:
    table = data.comparison.table
    env = Environment(loader=PackageLoader("trellis.analytics", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default=True))
    context: dict[str, Any] = {
        "title": title, "data": data, "table": table,
        "features": [{"label": f.label, "rows": [_row(m) for m in f.measures]}
                     for f in table.features],
        "kinds": ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in
                           table.feature("definition").detail["kinds"][MICRO].items() if v),
        "suitability": [{"name": name, "people": sub.people,
                         "rows": [_row(sub.feature(f).measure(m)) for f, m in SUITABILITY]}
                        for name, sub in table.by_role_type.items()],
        "compare_chart": png(compare_chart.draw(table, "Promotions vs micro-progressions")),
        "evidence": _evidence(data), "simulations": _simulations(data),
        "sim_note": "", "fragmentation": _fragmentation(data),
        "recognition": _recognition(data), "pipeline": _pipeline(data),
        "notes": list(data.notes),
    }
    first = next((s for s in data.simulations.values() if s is not None), None)
    if first is not None:
        cal = first.calibration
        context["sim_note"] = (
            f"{first.runs:,} trajectories per strategy over {first.years} years from each "
            f"stage's active individual contributors, calibrated on {cal.people:,} people "
            f"({cal.promotions_per_person_year:.1%} promoted a year, {cal.raise_words()})."
            + (" Shaded: P10-P90 pay." if cal.people_with_pay else ""))
    return env.get_template("report.html.j2").render(**context)


def _median_words(group: dict[str, Any]) -> str:
    """A curve's median months with its 95% interval ("..." for an edge never reached)."""
    low, high = ("..." if x is None else f"{x:.1f}"
                 for x in group.get("median_months_ci95") or (None, None))
    return f"{group['median_months']:.1f} ({low} to {high})"


def _evidence(data: ReportData) -> dict[str, Any] | None:
    found, doc = data.evidence, data.evidence_document
    if found is None or doc is None:
        return None
    groups = [{"group": g["group"], "rate_from": g["rate_from"] or 0.0,
               "rate_to": g["rate_to"] or 0.0, "spells": g["spells"],
               "promotions": g["promotions"],
               "median": (_median_words(g) if g["median_months"] else "not reached")
               if g["status"] == "ok" else g["status"]}
              for g in doc["time_in_level"]["groups"]]
    models = []
    for name, key in (("promotion", "promotion_model"), ("voluntary departure",
                                                          "departure_model")):
        m = doc[key]
        models.append({"name": name, "spells": m["spells"], "events": m["events"],
                       "status": m["status"] + (f" ({m['note']})" if m["note"] else ""),
                       "rows": [dict(h, covariate=h["covariate"].removesuffix("_per_year")
                                     .replace("_", " ")) for h in m["covariates"]
                                if h["hazard_ratio"] is not None]
                       if m["status"] == "ok" else []})
    chart = png(evidence_chart.draw(found.time_in_level, min_months=found.min_months))
    return {"chart": chart, "groups": groups, "models": models}


def _simulations(data: ReportData) -> list[dict[str, Any]]:
    out = []
    for stage, sim in data.simulations.items():
        if sim is None:
            out.append({"stage": stage, "people": 0, "chart": None})
            continue
        rows = [{"name": f"{o.strategy.name} ({o.strategy.promotion_effort:.0%})",
                 "pay": (f"{o.horizon['pay'][1]:,.0f}" if math.isfinite(o.horizon["pay"][1])
                         else "no pay data"), "level": f"{o.horizon['level'][1]:g}",
                 "employed": f"{o.survival[-1]:.1%}", "promotions": f"{o.promotions:.2f}",
                 "micro": f"{o.micro_progressions:.1f}"} for o in sim.outcomes]
        chart = png(strategy_chart.draw(sim.outcomes, f"{stage} career ({sim.people:,} people,"
                                        f" {sim.runs:,} trajectories per strategy)"))
        out.append({"stage": stage, "people": sim.people, "chart": chart, "rows": rows,
                    "years": sim.years})
    return out


def _fragmentation(data: ReportData) -> list[dict[str, Any]]:
    report = data.fragmentation
    if report is None:
        return []
    return [{"handle": line.person.handle, "manager": line.manager or "",
             "role": line.role or "", "level": line.assessment.level,
             "risk": f"{line.assessment.risk:.2f}", "index": f"{line.assessment.index:.2f}",
             "action": line.assessment.action.value.replace("_", " "),
             "reason": line.assessment.reasons[0] if line.assessment.reasons else ""}
            for line in report.lines[:10]]


def _recognition(data: ReportData) -> dict[str, Any] | None:
    report = data.recognition
    if report is None:
        return None
    s = report.spread
    alerted = sum(1 for line in report.lines if line.severity != "none")
    stats = [("people", f"{s.people:,}"), ("with an alert", f"{alerted:,}"),
             (f"recognitions since {s.since}", f"{s.recognitions:,}"),
             ("Gini (counts)", f"{s.gini_counts:.2f}"),
             ("never recognized", f"{len(s.never_recognized):,}")]
    rows = [{"handle": line.person.handle, "manager": line.manager or "",
             "count": line.cadence.count, "last": line.cadence.last_on or "never",
             "gap": line.cadence.gap_days, "severity": line.severity,
             "alert": line.alerts[0] if line.alerts else ""} for line in report.lines[:10]]
    return {"stats": stats, "rows": rows}


def _pipeline(data: ReportData) -> dict[str, Any] | None:
    p = data.pipeline
    if p is None:
        return None
    ready = sum(1 for e in p.entries if e.readiness.ready)
    gated = sum(1 for e in p.entries if not e.readiness.gates_hold)
    stats = [("assessed", f"{len(p.entries):,}"), ("ready now", f"{ready:,}"),
             ("held by a gate", f"{gated:,}"), ("at the top of their track",
                                                f"{p.without_next_role:,}")]
    rows = []
    for e in p.entries[:20]:
        r = e.readiness
        gaps = sorted(r.gaps, key=lambda g: -g.steps_missing)[:3]
        rows.append({"handle": e.person.handle, "role": e.role.id, "target": r.target.id,
                     "score": f"{r.score:.0f}",
                     "gates": "hold" if r.gates_hold else "; ".join(
                         g.name for g in r.gates if not g.holds),
                     "gaps": ", ".join(f"{g.name} {g.has}→{g.needs}" if g.steps_missing
                                      else f"{g.name} (stale evidence)"
                                      for g in gaps) or "none"})
    return {"stats": stats, "rows": rows}
