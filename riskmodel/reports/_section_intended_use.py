"""The report's ``intended-use`` section: what the model is for, and what it must not do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskmodel.reports._blocks import Block, Bullets, Callout, Heading, KeyValues, Para

JUDGEMENT = "Scores support professional judgement; they never decide."

OUT_OF_SCOPE = (
    "Deciding anything about a child or family. The score never decides whether a child "
    "enters care, is the subject of a child protection enquiry, or goes to court.",
    "Children under 10. The model was built and tested only on children aged 10 to 17.",
    "Unaccompanied asylum-seeking children. Their entry into care follows their arrival "
    "in the country, not their history with the authority, so they were left out.",
    "Children who are already looked after.",
    "Deciding who is eligible for a service, rationing support or withdrawing it. A low "
    "score is not evidence that a family does not need help.",
    "Sharing scores with other agencies (police, schools, housing, health) or using them "
    "as a label on a child's record.",
    "Judging practitioners, teams or families.",
    "Use in another authority, or after a change in recording systems or practice, "
    "without a new validation on that data.",
)

USERS = (
    "Team managers and practitioners in early help and children's social "
    "care, who read each flagged child's file before any contact.",
    "A qualified social worker reviews every flagged child. The score and its "
    "reasons are one input; the practitioner's judgement and the family's own "
    "account come first.",
    "Practitioners may disagree with a score and record why; disagreements are "
    "reviewed regularly and fed back into the review of the model.",
    "Families can ask what information about them was used (UK GDPR articles "
    "13 to 15). No decision about them is made by the model alone (article 22).",
)


def intended_use(
    horizon_months: int, model_description: Mapping[str, Any] | None
) -> tuple[Block, ...]:
    """Build the ``intended-use`` section: what the model is for, and not for."""
    body: list[Block] = [
        Callout(JUDGEMENT, "key"),
        Para(
            "The model estimates, for each child aged 10 to 17 who is known to the "
            "authority, the chance that the child enters care in the next "
            f"{horizon_months} months. Its only intended use is to help early-help and "
            "children's social care managers decide which families to review first, so "
            "that voluntary support can be offered earlier."
        ),
        Heading("Intended users and use"),
        Bullets.of(USERS),
        Heading("Out of scope: the model must not be used for"),
        Bullets.of(OUT_OF_SCOPE),
    ]
    if model_description:
        body += [
            Heading("The model reviewed here"),
            KeyValues(tuple((str(k), str(v)) for k, v in model_description.items())),
        ]
    return tuple(body)
