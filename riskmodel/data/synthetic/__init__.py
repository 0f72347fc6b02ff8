"""A synthetic local authority with a known ground truth.

:func:`make_local_authority` generates the three canonical tables of an English local
authority (``persons``, ``events``, ``care_episodes``) whose care entries follow a
known, exactly computable probability. It is the library's default data for the demo,
notebooks, tests and benchmarks.

The generative story (what drives what)
---------------------------------------
1. **Population.** Children live in households of one to five siblings. Households
   have an ethnicity (England's child-population mix), a deprivation decile (skewed
   towards deprived), a class (deprivation tier x chronically vulnerable or not) and
   lasting problems (domestic abuse, parental mental health, drug or alcohol misuse,
   parental learning disability or illness). Children have a sex, a disability flag
   and a birth month spread so that the number of 0-17-year-olds stays steady.
   Unaccompanied asylum-seeking children (UASC) arrive aged 16-17 during the period.
2. **Latent state.** Each household's *stress* (levels 0-5) is a monthly Markov chain
   whose transitions depend on its class. Each child has a *child level* (0-3: from
   none to acute adolescent difficulties: going missing, exploitation, gangs,
   behaviour), frozen at 0 before age 10, then rising with age and with the
   household's stress. (stress, child level) is a 24-state Markov chain per child.
3. **Care entries.** Each month, a child at home has a care-entry probability (the
   *hazard*) that is a function of the latent state, age (infants and adolescents
   most), a fixed effect (ethnic group, disability, sex, deprivation, household
   frailty) and the child's care history (higher after going home from care, the
   birth family's stress no longer counting after adoption or special guardianship),
   mixed with an age-only baseline in proportion ``label_noise``. Siblings often share
   the month's draw, so they enter care together. UASC enter care on arrival.
4. **Periods of care.** Each entry draws its legal status (care orders about three
   quarters, section 20 about a fifth), its outcome (return home, adoption, special
   guardianship, child arrangements order, leaving care at 18, ...) and its length;
   the period is split into SSDA903 episodes at legal status and placement changes
   chained by ``X1``. Some disabled children also have short breaks (V3/V4), which
   are not care entries.
5. **Recording.** What the authority *records* is driven by the same latent state,
   never by the future: contacts and referrals (with their source; some with no
   further action), assessments and their factors (which depend on the household's
   lasting problems and the child level), section 47 enquiries, conferences, CP and
   CIN plans, closures, early help; police domestic abuse notifications; missing
   episodes; school suspensions, exclusions and termly absence; youth justice
   outcomes. An optional reporting bias multiplies one ethnic group's recording rates
   without changing its true hazard, throughout or from a given day on (events before
   it are then exactly those of the unbiased run). All event dates are knowledge dates.

What the tables hold: ``persons`` has every child in the authority at some time in the
period (dates of birth at month precision, the 1st); ``care_episodes`` goes back to each
child's birth (an SSDA903 history); ``events`` start on the period's first day, except
the earlier history of CIN episodes still open then (as the CIN census reports them).
The calibration against national figures is measured by :func:`base_rates`.
:func:`write_returns` writes what the authority's SSDA903 and CIN census returns of each
collection year would hold, with local extracts for the events that no return carries.

Because care entries are drawn from exactly the hazard in (3),
:meth:`GroundTruth.probability` (stored as ``data.truth``) gives the true probability
of a care entry within a horizon for any child at any as-of date: the best any model
could do, computed exactly by propagating the latent state's distribution.
:meth:`GroundTruth.for_keys` gives it for each row of a training frame, as
:func:`~riskmodel.backtest` takes it (``truth=``).
The truth also knows the hidden family state, which no model of the records can.
:meth:`GroundTruth.achievable` (and :meth:`GroundTruth.achievable_for_keys`) gives the
best probability the records before an as-of date allow: a forward filter over the
latent chain with the generator's parameters known, ``E[truth | records]`` under the
stated approximations of its docstring. A model's gap to it is model weakness; its
gap to the truth is what the records cannot show.

Examples
--------
>>> from riskmodel.data.synthetic import make_local_authority
>>> data = make_local_authority(n_children=2_000, random_state=0)
>>> data.extract_date.date().isoformat()
'2024-03-31'
"""

from riskmodel.data.synthetic._base_rates import (
    base_rates,
    children_in_need_on,
    on_child_protection_plan_on,
)
from riskmodel.data.synthetic._generate import ReportingBias, make_local_authority
from riskmodel.data.synthetic._region import (
    AuthoritySettings,
    iter_region,
    make_authority,
    make_region,
    region_settings,
    write_region,
)
from riskmodel.data.synthetic._returns import write_returns
from riskmodel.data.synthetic._truth import GroundTruth

__all__ = [
    "AuthoritySettings",
    "GroundTruth",
    "ReportingBias",
    "base_rates",
    "children_in_need_on",
    "iter_region",
    "make_authority",
    "make_local_authority",
    "make_region",
    "on_child_protection_plan_on",
    "region_settings",
    "write_region",
    "write_returns",
]
