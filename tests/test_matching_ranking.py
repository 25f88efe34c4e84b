"""The ranking of mentors for a mentee (``handlers.matching.ranking``): a pure function, so
every expectation is written out. Hard constraints are never broken (checked by hypothesis
over arbitrary programs); soft ones order the list; ties go to the less busy mentor."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.matching.ranking import (
    MenteeFacts,
    MentorFacts,
    allowed,
    rank,
    utc_hours,
)
from storage.matching import Gender, MatchProfile, Pathway

DAY = date(2026, 12, 7)
SUMMER = date(2026, 7, 7)
EVENINGS = frozenset(range(17, 22))
MORNINGS = frozenset(range(6, 12))


def mentor(
    mentor_id: int, load: int = 0, limit: int = 5, zone: str | None = None, **profile: object
) -> MentorFacts:
    return MentorFacts(
        mentor_id,
        f"M{mentor_id}",
        load,
        limit,
        zone,
        MatchProfile(mentor_id, **profile) if profile else None,  # type: ignore[arg-type]
    )


def mentee(
    zone: str | None = None, left: frozenset[int] = frozenset(), **profile: object
) -> MenteeFacts:
    return MenteeFacts(100, zone, MatchProfile(100, **profile) if profile else None, left)  # type: ignore[arg-type]


def test_the_reasons_read_as_words_in_order() -> None:
    wish = mentee(
        "America/New_York",
        languages=frozenset({"es"}),
        pathways=frozenset({Pathway.SMART}),
        hours=EVENINGS,
    )
    offer = mentor(
        1,
        load=2,
        zone="America/Chicago",
        languages=frozenset({"es", "en"}),
        pathways=frozenset({Pathway.SMART, Pathway.TWELVE_STEP}),
        hours=EVENINGS,
    )
    [only] = rank(wish, [offer], on=DAY)
    assert only.reason_text == (
        "speaks Spanish · SMART Recovery · 3 of 5 places free · overlapping evenings"
    )


def test_hard_constraints_leave_out_who_does_not_fit() -> None:
    wish = mentee(languages=frozenset({"es"}), gender_preference=Gender.WOMAN, gender=Gender.MAN)
    fits = mentor(1, languages=frozenset({"es"}), gender=Gender.WOMAN)
    full = mentor(2, load=5, languages=frozenset({"es"}), gender=Gender.WOMAN)
    english = mentor(3, languages=frozenset({"en"}), gender=Gender.WOMAN)
    a_man = mentor(4, languages=frozenset({"es"}), gender=Gender.MAN)
    unknown = mentor(5)  # no profile: neither the language nor the gender can be promised
    prefers_women = mentor(
        6, languages=frozenset({"es"}), gender=Gender.WOMAN, gender_preference=Gender.WOMAN
    )
    ranked = rank(wish, [fits, full, english, a_man, unknown, prefers_women], on=DAY, limit=None)
    assert [s.mentor.mentor_id for s in ranked] == [1]


def test_lapsed_training_holds_a_mentor_back_only_when_configured() -> None:
    lapsed = MentorFacts(1, "M1", 0, 5, training_lapsed=True)
    assert [s.mentor.mentor_id for s in rank(mentee(), [lapsed], on=DAY)] == [1]
    assert rank(mentee(), [lapsed], on=DAY, hold_lapsed=True) == []


def test_the_current_mentor_is_excluded_and_leaving_before_counts_against() -> None:
    wish = mentee(left=frozenset({2}))
    ranked = rank(wish, [mentor(1), mentor(2), mentor(3)], on=DAY, exclude=(1,), limit=None)
    assert [s.mentor.mentor_id for s in ranked] == [3, 2]
    assert "asked to leave this mentor before" in ranked[1].reasons


def test_a_shared_pathway_outranks_free_places() -> None:
    wish = mentee(pathways=frozenset({Pathway.MEDICATION}))
    busy_but_shared = mentor(1, load=4, pathways=frozenset({Pathway.MEDICATION}))
    free_but_other = mentor(2, load=0, pathways=frozenset({Pathway.FAITH}))
    ranked = rank(wish, [free_but_other, busy_but_shared], on=DAY)
    assert [s.mentor.mentor_id for s in ranked] == [1, 2]
    assert ranked[0].reasons == ("medication-assisted recovery", "1 of 5 places free")


def test_ties_are_broken_by_load() -> None:
    # Equal points (half their places free each), so the one with fewer mentees goes first.
    lighter = mentor(7, load=1, limit=2)
    heavier = mentor(3, load=2, limit=4)
    ranked = rank(mentee(), [heavier, lighter], on=DAY)
    assert ranked[0].score == ranked[1].score
    assert [s.mentor.mentor_id for s in ranked] == [7, 3]


def test_re_match_requests_of_others_lower_a_mentor() -> None:
    often_left = MentorFacts(1, "M1", 0, 5, rematch_requests=2)
    never_left = MentorFacts(2, "M2", 0, 5)
    ranked = rank(mentee(), [often_left, never_left], on=DAY)
    assert [s.mentor.mentor_id for s in ranked] == [2, 1]
    assert "2 re-match requests" in ranked[1].reasons


def test_overlap_is_computed_across_zones_with_daylight_saving() -> None:
    # 18:00-21:00 in New York is 23:00-02:00 UTC in December and 22:00-01:00 UTC in July;
    # London's evenings are 17:00-21:00 UTC in December, 16:00-20:00 UTC in July.
    assert utc_hours({18}, "America/New_York", DAY) == {23}
    assert utc_hours({18}, "America/New_York", SUMMER) == {22}
    wish = mentee("Europe/London", hours=EVENINGS)
    far = mentor(1, zone="America/Los_Angeles", hours=EVENINGS)
    near = mentor(2, zone="Europe/Paris", hours=EVENINGS)
    ranked = rank(wish, [far, near], on=DAY)
    assert [s.mentor.mentor_id for s in ranked] == [2, 1]
    assert "overlapping evenings" in ranked[0].reasons
    assert not any("overlapping" in r for r in ranked[1].reasons)
    # Mornings in Los Angeles are evenings in London: the reason names the mentee's part.
    early = mentor(3, zone="America/Los_Angeles", hours=MORNINGS)
    [only] = rank(wish, [early], on=DAY)
    assert "overlapping evenings" in only.reasons


def test_without_hours_close_time_zones_count() -> None:
    wish = mentee("America/Denver")
    ranked = rank(
        wish,
        [MentorFacts(1, "M1", 0, 5, "Asia/Tokyo"), MentorFacts(2, "M2", 0, 5, "America/Chicago")],
        on=DAY,
    )
    assert [s.mentor.mentor_id for s in ranked] == [2, 1]
    assert "close time zone" in ranked[0].reasons


# Hypothesis: whatever the program looks like, nobody who breaks a hard constraint is listed.

LANGS = st.frozensets(st.sampled_from(["en", "es", "fr"]), max_size=2)
GENDERS = st.none() | st.sampled_from(list(Gender))
ZONES = st.none() | st.sampled_from(
    ["America/New_York", "Europe/London", "Asia/Kolkata", "Bad/Zone"]
)
HOURS = st.frozensets(st.integers(0, 23), max_size=8)


@st.composite
def profiles(draw: st.DrawFn, person_id: int) -> MatchProfile | None:
    if draw(st.booleans()):
        return None
    return MatchProfile(
        person_id,
        languages=draw(LANGS),
        pathways=draw(st.frozensets(st.sampled_from(list(Pathway)), max_size=2)),
        experience=draw(st.frozensets(st.sampled_from(["alcohol", "opioids"]), max_size=2)),
        gender=draw(GENDERS),
        gender_preference=draw(GENDERS),
        hours=draw(HOURS),
    )


@st.composite
def mentors(draw: st.DrawFn) -> list[MentorFacts]:
    count = draw(st.integers(0, 8))
    found = []
    for n in range(1, count + 1):
        limit = draw(st.integers(0, 4))
        found.append(
            MentorFacts(
                n,
                f"M{n}",
                draw(st.integers(0, 5)),
                limit,
                draw(ZONES),
                draw(profiles(n)),
                draw(st.booleans()),
                draw(st.integers(0, 4)),
            )
        )
    return found


@settings(max_examples=300, deadline=None)
@given(
    team=mentors(),
    wish=profiles(100),
    zone=ZONES,
    exclude=st.frozensets(st.integers(1, 8), max_size=2),
    hold=st.booleans(),
    left=st.frozensets(st.integers(1, 8), max_size=2),
)
def test_hard_constraints_are_never_broken(
    team: list[MentorFacts],
    wish: MatchProfile | None,
    zone: str | None,
    exclude: frozenset[int],
    hold: bool,
    left: frozenset[int],
) -> None:
    seeker = MenteeFacts(100, zone, wish, left)
    ranked = rank(seeker, team, on=DAY, exclude=exclude, hold_lapsed=hold, limit=None)
    for s in ranked:
        m = s.mentor
        assert m.load < m.limit
        assert m.mentor_id not in exclude
        assert not (hold and m.training_lapsed)
        if wish is not None and wish.languages:
            assert m.profile is not None and wish.languages & m.profile.languages
        if wish is not None and wish.gender_preference is not None:
            assert m.profile is not None and m.profile.gender is wish.gender_preference
        if m.profile is not None and m.profile.gender_preference is not None:
            assert wish is not None and wish.gender is m.profile.gender_preference
    # Everyone left out broke a constraint, and the order is by points, then load.
    listed = {s.mentor.mentor_id for s in ranked}
    for m in team:
        fits = allowed(seeker, m, exclude=exclude, hold_lapsed=hold)
        assert fits == (m.mentor_id in listed)
    keys = [(-s.score, s.mentor.load, s.mentor.mentor_id) for s in ranked]
    assert keys == sorted(keys)
