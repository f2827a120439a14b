"""The IHI Assessment Scale for Collaboratives, defined once for every surface.

Teams rate themselves and faculty rate each team, from 0.5 (intent to participate) to 5.0
(outstanding sustainable results), in steps of half a point. The deck, the handout, the phone,
the console and the take-home plan all read the scale from here.
"""

from __future__ import annotations

from dataclasses import dataclass

ASSESSMENT_TITLE = "IHI Assessment Scale for Collaboratives"


@dataclass(frozen=True)
class ScalePoint:
    """One score of the scale: its value, its short name and what it means."""

    value: float
    name: str
    description: str

    @property
    def score(self) -> str:
        """The value as people write it: 0.5, 1.0, ... 5.0."""
        return f"{self.value:.1f}"


ASSESSMENT_SCALE: tuple[ScalePoint, ...] = (
    ScalePoint(
        0.5,
        "Intent to participate",
        "The organisation has signed up for the collaborative; team work has not started.",
    ),
    ScalePoint(
        1.0,
        "Forming team",
        "The team is formed, its target population is identified, its aim is set, "
        "and baseline measurement has begun.",
    ),
    ScalePoint(
        1.5,
        "Planning for the project has begun",
        "The team meets regularly and has planned its project; no change has been tested yet.",
    ),
    ScalePoint(
        2.0,
        "Activity, but no changes",
        "The team is studying its system, collecting data and gathering ideas, but has not tested a change.",
    ),
    ScalePoint(
        2.5,
        "Changes tested, but no improvement",
        "PDSA cycles are testing changes and the key measures are reported, "
        "but the measures have not improved yet.",
    ),
    ScalePoint(
        3.0,
        "Modest improvement",
        "Several changes have been tested and some are in place; process measures show modest improvement.",
    ),
    ScalePoint(
        3.5,
        "Improvement",
        "Process measures keep improving and outcome measures begin to move; most of the "
        "change package is being tested.",
    ),
    ScalePoint(
        4.0,
        "Significant improvement",
        "Most of the change package is in place for the population of focus; outcome "
        "measures show sustained improvement, halfway to the goals, and plans to spread "
        "the improvement are in place.",
    ),
    ScalePoint(
        4.5,
        "Sustainable improvement",
        "Outcome improvements have held for at least three months, 75% of the goals are met, "
        "and spread to a larger population has begun.",
    ),
    ScalePoint(
        5.0,
        "Outstanding sustainable results",
        "Every goal of the aim is met and held, outcomes compare with the best, and spread is under way.",
    ),
)

SCORES: tuple[float, ...] = tuple(p.value for p in ASSESSMENT_SCALE)


def scale_point(value: float) -> ScalePoint:
    """The point of the scale with this value (KeyError if there is none)."""
    for point in ASSESSMENT_SCALE:
        if point.value == value:
            return point
    raise KeyError(value)
