"""One benchmark run, in a process of its own: ``python -m ccusplan.bench.child SPEC``.

``SPEC`` is a run (:class:`ccusplan.bench.suite.RunSpec` as JSON). The process
loads the case (a sweep's run applies its sample's factors, and its row tells what the
plan builds: :mod:`ccusplan.uncertainty.usage`), checks it is still the one the suite was read with (same digest:
on a cluster, every worker must see the same files), solves it with
:func:`ccusplan.optimize.run` and prints one line, ``MARK`` followed by the
outcome as JSON. It dies with its parent (Linux ``PR_SET_PDEATHSIG``), so a
killed batch leaves no solver running.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import traceback

MARK = "@@CCUSPLAN-BENCH-RUN@@"
PARENT_ENV = "CCUSPLAN_BENCH_PARENT"
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; else nothing)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
    except (OSError, AttributeError):
        return
    if parent_pid is not None and os.getppid() != parent_pid:   # it died before prctl
        os._exit(1)


def solve(spec: dict) -> dict:
    """Solve one run; what it gives back (never raises)."""
    from ccusplan.bench.suite import case_digest
    from ccusplan.errors import InputError
    from ccusplan.io import load
    from ccusplan.optimize import RunOptions, run

    try:
        case, net = load(spec["case_path"])
        digest = case_digest(spec["case_path"], case.case.network)
        if digest != spec["case_digest"]:
            return {"status": "error", "message": (
                "the case or its network differs from the one the suite was read with "
                "(edited since, or other files on this worker): run the suite again")}
        sample = spec.get("sample")
        if sample is not None:            # a sweep's sample: its factors on the base case
            from ccusplan.uncertainty.samples import apply

            case, net = apply(case, net, sample)
        out = run(case, net, RunOptions(solver=spec["solver"], time_limit_s=spec["time_limit_s"],
                                        mip_gap=spec["mip_gap_target"], threads=spec["threads"]))
    except InputError as exc:
        return {"status": "error", "message": exc.render()}
    except Exception as exc:  # noqa: BLE001 - a failed run is a row, not a crash
        tail = "".join(traceback.format_exception(exc)[-3:])
        return {"status": "error", "message": f"{type(exc).__name__}: {exc}\n{tail}"}
    r = out.result
    return {"status": r.status, "objective_musd": r.objective, "best_bound_musd": r.best_bound,
            "mip_gap": r.mip_gap, "build_seconds": out.build_seconds,
            "solve_seconds": r.solve_seconds, "solver_version": r.solver,
            **out.sizes, "n_corridors": int(len(out.instance.cor_from)),
            "transport_musd": out.polished.transport_musd if out.polished else None,
            "transport_gap": out.polished.transport_gap if out.polished else None,
            "message": "; ".join(out.diagnosis) if r.status == "infeasible" and out.diagnosis
            else r.message,
            **({} if sample is None else _usage(out))}


def _usage(out) -> dict:
    from ccusplan.uncertainty.usage import plan_usage

    return plan_usage(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parent = os.environ.get(PARENT_ENV)
    die_with_parent(int(parent) if parent else None)
    row = solve(json.loads(argv[0]))
    print(MARK + json.dumps(row, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
