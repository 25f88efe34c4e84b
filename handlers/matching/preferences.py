"""``/profile``: the optional profile for matching, asked with consent, in the private chat.

Nothing is stored until the person says yes. Every part is chosen with buttons (languages,
pathways and lived experience toggle; gender and a preference are one choice each; hours are
parts of the day in the person's own zone), so there is no free text to keep. The buttons carry
everything they need, so the flow keeps no conversation state. The profile is seen by the
program's coordinators (in their suggestions) and by the person: never by other mentees.
Typed in a group, ``/profile`` is answered privately (the dispatcher does that); a button or a
text that reaches the flow from a group gets a kind word that it belongs in the private chat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from handlers.context import Capability, CommandSpec, Context, Replies, Turn
from handlers.dispatcher import stale_button
from handlers.matching import texts
from handlers.matching.ranking import DAY_PARTS
from handlers.messaging import Button, ChatKind, OutgoingMessage
from handlers.routes import Route, decode_any
from storage.matching import Gender, MatchProfile, Pathway
from storage.people import Role

FLOW = "pf"
PARTS = ("languages", "pathways", "experience", "gender", "hours")
PROFILE_ROLES = frozenset({Role.MENTEE, Role.MENTOR})
NONE = "none"


@dataclass(frozen=True, slots=True)
class ConsentPress:
    """``yes`` or ``no``."""

    answer: str


@dataclass(frozen=True, slots=True)
class PartPress:
    """Open one part of the profile (or ``menu``)."""

    part: str


@dataclass(frozen=True, slots=True)
class TogglePress:
    """Add or remove ``value`` in a multi-choice part (``languages``, ``pathways``...)."""

    part: str
    value: str


@dataclass(frozen=True, slots=True)
class GenderPress:
    """``me`` (the person's gender) or ``pref`` (their preference), a gender or ``none``."""

    which: str
    value: str


@dataclass(frozen=True, slots=True)
class DonePress:
    pass


@dataclass(frozen=True, slots=True)
class DeletePress:
    pass


CONSENT = Route(FLOW, "c:{answer}", ConsentPress)
PART = Route(FLOW, "p:{part}", PartPress)
TOGGLE = Route(FLOW, "t:{part}:{value}", TogglePress)
GENDER = Route(FLOW, "g:{which}:{value}", GenderPress)
DONE = Route(FLOW, "done:", DonePress)
DELETE = Route(FLOW, "del:", DeletePress)
ROUTES = (CONSENT, PART, TOGGLE, GENDER, DONE, DELETE)

CHOICES: dict[str, Callable[[], dict[str, str]]] = {
    "languages": lambda: texts.LANGUAGES,
    "pathways": lambda: texts.PATHWAYS,
    "experience": lambda: texts.EXPERIENCE,
    "hours": lambda: texts.DAY_PART_BUTTONS,
}
"""Each multi-choice part's values and their button labels, read when a message is built (so
in the person's language, never frozen at import)."""


def in_private(turn: Turn) -> bool:
    """Whether only this person sees what we answer (their private chat, or a platform's
    reply visible to them alone)."""
    return turn.event.chat_kind is ChatKind.DIRECT or turn.event.private_replies


def _is_mentor(turn: Turn) -> bool:
    return Role.MENTOR in turn.roles


def _chosen(profile: MatchProfile, part: str) -> frozenset[str]:
    if part == "languages":
        return profile.languages
    if part == "pathways":
        return frozenset(p.value for p in profile.pathways)
    if part == "experience":
        return profile.experience
    return frozenset(name for name, hours in DAY_PARTS.items() if set(hours) <= profile.hours)


def _toggled(profile: MatchProfile, part: str, value: str) -> MatchProfile:
    if part == "hours":
        block = frozenset(DAY_PARTS[value])
        on = block <= profile.hours
        return replace(profile, hours=profile.hours - block if on else profile.hours | block)
    chosen = set(_chosen(profile, part)) ^ {value}
    if part == "languages":
        return replace(profile, languages=frozenset(chosen))
    if part == "pathways":
        return replace(profile, pathways=frozenset(Pathway(v) for v in chosen))
    return replace(profile, experience=frozenset(chosen))


def _names(values: frozenset[str], names: dict[str, str]) -> str:
    shown = [names[v] for v in names if v in values]
    return ", ".join(shown) if shown else texts.NOT_SAID


def _gender_line(profile: MatchProfile, mentor: bool) -> str:
    gender = texts.GENDERS[profile.gender.value] if profile.gender else texts.NOT_SAID
    preference = (
        texts.GENDERS[profile.gender_preference.value]
        if profile.gender_preference
        else texts.ANYONE
    )
    template = texts.GENDER_LINE_MENTOR if mentor else texts.GENDER_LINE_MENTEE
    return template.format(gender=gender, preference=preference)


def menu(profile: MatchProfile, mentor: bool) -> OutgoingMessage:
    lines = [
        texts.LINE.format(
            part=texts.PART_LANGUAGES, value=_names(profile.languages, texts.LANGUAGES)
        ),
        texts.LINE.format(
            part=texts.PART_PATHWAYS, value=_names(_chosen(profile, "pathways"), texts.PATHWAYS)
        ),
        texts.LINE.format(
            part=texts.PART_EXPERIENCE, value=_names(profile.experience, texts.EXPERIENCE)
        ),
        texts.LINE.format(part=texts.PART_GENDER, value=_gender_line(profile, mentor)),
        texts.LINE.format(
            part=texts.PART_HOURS, value=_names(_chosen(profile, "hours"), texts.DAY_PARTS)
        ),
    ]
    labels = {
        "languages": texts.PART_LANGUAGES,
        "pathways": texts.PART_PATHWAYS,
        "experience": texts.PART_EXPERIENCE,
        "gender": texts.PART_GENDER,
        "hours": texts.PART_HOURS,
    }
    buttons = [PART.button(labels[part], PartPress(part)) for part in PARTS]
    buttons += [DONE.button(texts.DONE, DonePress()), DELETE.button(texts.DELETE, DeletePress())]
    template = texts.MENU_MENTOR if mentor else texts.MENU_MENTEE
    return OutgoingMessage.with_buttons(template.format(lines="\n".join(lines)), buttons, per_row=2)


async def _zone(ctx: Context, person_id: int) -> str:
    return (await ctx.storage.get_settings(person_id)).timezone or texts.NO_ZONE


async def section(ctx: Context, profile: MatchProfile, part: str, mentor: bool) -> OutgoingMessage:
    """One part's buttons, the chosen ones ticked."""
    back = PART.button(texts.BACK, PartPress("menu"))
    if part == "gender":
        return _gender_section(profile, mentor, back)
    chosen = _chosen(profile, part)
    buttons = [
        TOGGLE.button(texts.CHOSEN.format(label=label) if value in chosen else label,
                      TogglePress(part, value))
        for value, label in CHOICES[part]().items()
    ]  # fmt: skip
    if part == "languages":
        question = texts.ASK_LANGUAGES.format(who=texts.WHO_MENTOR if mentor else texts.WHO_MENTEE)
    elif part == "pathways":
        question = texts.ASK_PATHWAYS_MENTOR if mentor else texts.ASK_PATHWAYS_MENTEE
    elif part == "experience":
        question = texts.ASK_EXPERIENCE_MENTOR if mentor else texts.ASK_EXPERIENCE_MENTEE
    else:
        template = texts.ASK_HOURS_MENTOR if mentor else texts.ASK_HOURS_MENTEE
        question = template.format(zone=await _zone(ctx, profile.person_id))
    return OutgoingMessage.with_buttons(question, [*buttons, back], per_row=2)


def _gender_section(profile: MatchProfile, mentor: bool, back: Button) -> OutgoingMessage:
    def mark(label: str, on: bool) -> str:
        return texts.CHOSEN.format(label=label) if on else label

    buttons = [
        GENDER.button(
            mark(texts.I_AM.format(label=label), profile.gender is Gender(value)),
            GenderPress("me", value),
        )
        for value, label in texts.GENDER_BUTTONS.items()
    ]
    buttons.append(
        GENDER.button(mark(texts.RATHER_NOT_SAY, profile.gender is None), GenderPress("me", NONE))
    )
    buttons += [
        GENDER.button(
            mark(texts.PREFER.format(label=label), profile.gender_preference is Gender(value)),
            GenderPress("pref", value),
        )
        for value, label in texts.GENDER_BUTTONS.items()
    ]
    buttons.append(
        GENDER.button(
            mark(texts.NO_PREFERENCE, profile.gender_preference is None),
            GenderPress("pref", NONE),
        )
    )
    gender = texts.GENDERS[profile.gender.value] if profile.gender else texts.NOT_SAID
    preference = (
        texts.GENDERS[profile.gender_preference.value]
        if profile.gender_preference
        else texts.ANYONE
    )
    template = texts.ASK_GENDER_MENTOR if mentor else texts.ASK_GENDER_MENTEE
    return OutgoingMessage.with_buttons(
        template.format(gender=gender, preference=preference), [*buttons, back], per_row=2
    )


def ask_consent(mentor: bool) -> OutgoingMessage:
    return OutgoingMessage.with_buttons(
        texts.ASK_CONSENT_MENTOR if mentor else texts.ASK_CONSENT_MENTEE,
        [
            CONSENT.button(texts.CONSENT_YES, ConsentPress("yes")),
            CONSENT.button(texts.CONSENT_NO, ConsentPress("no")),
        ],
    )


async def profile_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """``/profile``: the menu, or first the question whether they want one at all."""
    assert turn.person is not None
    if not in_private(turn):  # the dispatcher sends it privately
        return [OutgoingMessage(texts.GROUP_REFUSAL)]
    profile = await ctx.storage.match_profile(turn.person.id)
    if profile is None:
        return [ask_consent(_is_mentor(turn))]
    return [menu(profile, _is_mentor(turn))]


def _fits(press: object) -> bool:
    match press:
        case ConsentPress(answer):
            return answer in ("yes", "no")
        case PartPress(part):
            return part in (*PARTS, "menu")
        case TogglePress(part, value):
            return part in CHOICES and value in CHOICES[part]()
        case GenderPress(which, value):
            return which in ("me", "pref") and (value == NONE or value in texts.GENDER_BUTTONS)
        case DonePress() | DeletePress():
            return True
    return False


class ProfileFlow:
    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = decode_any(payload, ROUTES)
        if press is None or not _fits(press) or turn.person is None:
            return [stale_button()]
        if not in_private(turn):
            return [OutgoingMessage(texts.GROUP_REFUSAL)]
        person_id, mentor = turn.person.id, _is_mentor(turn)
        profile = await ctx.storage.match_profile(person_id)
        if isinstance(press, ConsentPress):
            if press.answer == "no":
                return [OutgoingMessage(texts.NOT_NOW)]
            if profile is None:
                profile = await ctx.storage.save_match_profile(MatchProfile(person_id), ctx.clock())
            return [menu(profile, mentor)]
        if profile is None:  # deleted meanwhile, or never agreed: ask again
            return [ask_consent(mentor)]
        match press:
            case PartPress("menu"):
                return [menu(profile, mentor)]
            case PartPress(part):
                return [await section(ctx, profile, part, mentor)]
            case TogglePress(part, value):
                saved = await ctx.storage.save_match_profile(
                    _toggled(profile, part, value), ctx.clock()
                )
                return [await section(ctx, saved, part, mentor)]
            case GenderPress(which, value):
                chosen = None if value == NONE else Gender(value)
                changed = (
                    replace(profile, gender=chosen)
                    if which == "me"
                    else replace(profile, gender_preference=chosen)
                )
                saved = await ctx.storage.save_match_profile(changed, ctx.clock())
                return [await section(ctx, saved, "gender", mentor)]
            case DeletePress():
                await ctx.storage.delete_match_profile(person_id)
                return [OutgoingMessage(texts.DELETED)]
        return [OutgoingMessage(texts.SAVED)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        if not in_private(turn):
            return [OutgoingMessage(texts.GROUP_REFUSAL)]
        return [OutgoingMessage(texts.UNKNOWN_TEXT)]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "profile",
            "what helps the coordinator find a good match for you (optional)",
            profile_command,
            PROFILE_ROLES,
        ),
    ),
    flows=(ProfileFlow(),),
)
