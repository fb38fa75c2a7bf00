"""The result figures ``ccusplan solve`` writes next to the tables: ``timeline.png``
(:mod:`.timeline_chart`) and ``network_map.png`` (:mod:`.network_map`), as PNG bytes."""

from __future__ import annotations

from ccusplan.optimize import Outcome
from ccusplan.optimize.timeline import capacity_by_kind, km_added_by_class, timeline
from ccusplan.report.network_map import plot_network_map
from ccusplan.report.timeline_chart import plot_timeline

FIGURE_FILES = ("timeline.png", "network_map.png")


def _note(outcome: Outcome) -> str:
    plan, res = outcome.plan, outcome.result
    if plan is None:
        return f"no plan: {res.status}"
    cost = sum(plan.npv_musd[k] for k in ("capture", "transport", "storage"))
    stored = plan.discounted_stored_mt
    levelized = f"; levelised {cost / stored:,.2f} USD/t stored" if stored > 1e-9 else ""
    return (f"{res.status}, NPV {res.objective:,.0f} MUSD{levelized}; "
            f"{plan.pipeline_km:,.0f} km of new pipe")


def result_figures(outcome: Outcome) -> dict[str, bytes]:
    """``timeline.png`` and ``network_map.png`` of a solved case (the targets and the
    candidate network alone when there is no plan)."""
    inst, plan = outcome.instance, outcome.plan
    years = inst.years
    note = _note(outcome)
    chart = plot_timeline(
        inst.case.name, timeline(inst, plan),
        capacity_by_kind(plan, years) if plan is not None else None,
        km_added_by_class(plan, years) if plan is not None else None, note)
    net_map = plot_network_map(inst.case.name, inst.network, years, plan, note)
    return dict(zip(FIGURE_FILES, (chart, net_map)))
