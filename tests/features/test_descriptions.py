"""Plain-English wording of feature values."""

import pytest

from riskmodel.features._descriptions import period_words, singular_of


@pytest.mark.parametrize(
    ("days", "words"),
    [(90, "3 months"), (180, "6 months"), (365, "year"), (730, "2 years"), (30, "month"),
     (7, "week"), (14, "2 weeks"), (1, "day"), (45, "45 days"), (1095, "3 years")],
)  # fmt: skip
def test_windows_in_words(days, words):
    assert period_words(days) == words


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("referrals", "referral"), ("section 47 enquiries", "section 47 enquiry"),
     ("school absence rates", "school absence rate"), ("boxes", "box"), ("class", "class"),
     ("initial child protection conferences", "initial child protection conference")],
)  # fmt: skip
def test_singular_of_the_last_word(plural, singular):
    assert singular_of(plural) == singular
