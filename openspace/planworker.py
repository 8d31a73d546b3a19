"""Compute a whole-wall proposal in a process of its own (openspace/views/planning.py starts it).

Reads a pickled `Plan` on stdin, writes the pickled {"moves", "before", "after"} to stdout. The search holds the
CPU for over a second and builds tens of thousands of small objects: in the server's process it would hold the
interpreter's lock against every live connection, and the garbage collections it sets off would walk all of the
server's objects. Run as a script: importing the openspace package would load the app; only the pure planning
module is loaded, under its own name, so what is pickled on either side is the same classes.
"""

from __future__ import annotations

import pickle
import sys
import types
from pathlib import Path


def _planning() -> types.ModuleType:
    package = types.ModuleType("openspace")
    package.__path__ = [str(Path(__file__).resolve().parent)]
    sys.modules.setdefault("openspace", package)
    import openspace.planning

    return openspace.planning


def compute(planning: types.ModuleType, plan: object) -> dict[str, object]:
    moves = planning.propose(plan)
    after = planning.apply_moves(plan, moves)
    return {"moves": moves, "before": planning.conflict_score(plan), "after": planning.conflict_score(after)}


def main() -> None:
    planning = _planning()
    plan = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from the server that started this process only
    sys.stdout.buffer.write(pickle.dumps(compute(planning, plan)))


if __name__ == "__main__":
    main()
