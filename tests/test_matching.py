"""Matching in the chat: ``/profile`` (asked with consent, private only, never shown to other
mentees), the coordinator's suggestions with approve buttons, approval through the pairing use
case (the mentor and mentee are told as with ``peerbot pair``), and ``/newmentor``."""

from __future__ import annotations

from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.i18n import speaking
from handlers.matching import suggest
from handlers.matching import texts as matching_texts
from handlers.mentoring import texts as mentoring_texts
from handlers.messaging import ChatKind, OutgoingMessage
from scheduling.due import DueWorker
from storage.base import Storage
from storage.matching import Gender, MatchProfile, Pathway
from storage.people import Role
from tests.support import Chat, FakeClock, RecordingMessenger, onboard
from tests.support.chat import Room
from tests.support.mentoring import person_id, staff


async def mentee(dispatcher: Dispatcher, ctx: Context, user: str, name: str) -> tuple[Chat, int]:
    chat = Chat(dispatcher, user_id=user)
    await onboard(chat, name=name)
    return chat, await person_id(ctx, chat)


def approve_buttons(message: OutgoingMessage) -> list[str]:
    return [b.label for b in message.buttons]


async def test_a_mentee_sets_their_wishes_with_buttons_after_saying_yes(
    ctx: Context, dispatcher: Dispatcher, storage: Storage
) -> None:
    sam, sam_id = await mentee(dispatcher, ctx, "u1", "Sam")
    [ask] = await sam.command("profile")
    assert "optional" in ask.text and "never other mentees" in ask.text
    assert await storage.match_profile(sam_id) is None  # nothing before consent
    [not_now] = await sam.press_label("Not now")
    assert not_now.text == matching_texts.NOT_NOW and await storage.match_profile(sam_id) is None

    await sam.command("profile")
    [menu] = await sam.press_label("Yes")
    assert "Languages: not said" in menu.text
    await sam.press_label("Languages")
    [languages] = await sam.press_label("Spanish")
    assert "✓ Spanish" in approve_buttons(languages)
    await sam.press_label("Back")
    await sam.press_label("Pathways")
    await sam.press_label("SMART")
    await sam.press_label("Back")
    await sam.press_label("Gender")
    await sam.press_label("I'm: Man")
    await sam.press_label("Prefer: Woman")
    await sam.press_label("Back")
    await sam.press_label("When")
    [hours] = await sam.press_label("Evenings")
    assert "America/Denver" in hours.text
    [menu] = await sam.press_label("Back")
    assert "Languages: Spanish" in menu.text and "SMART Recovery" in menu.text
    assert "you'd like a mentor who is: a woman" in menu.text
    [done] = await sam.press_label("Done")
    assert done.text == matching_texts.SAVED
    saved = await storage.match_profile(sam_id)
    assert saved is not None
    assert saved.languages == {"es"} and saved.pathways == {Pathway.SMART}
    assert saved.gender is Gender.MAN and saved.gender_preference is Gender.WOMAN
    assert saved.hours == frozenset(range(17, 22))

    # Toggling again removes; deleting forgets everything.
    await sam.command("profile")
    await sam.press_label("Languages")
    await sam.press_label("✓ Spanish")
    assert (await storage.match_profile(sam_id)).languages == frozenset()  # type: ignore[union-attr]
    await sam.command("profile")
    [gone] = await sam.press_label("Delete my profile")
    assert gone.text == matching_texts.DELETED and await storage.match_profile(sam_id) is None


async def test_profile_stays_out_of_groups(
    ctx: Context, dispatcher: Dispatcher, messenger: RecordingMessenger
) -> None:
    await mentee(dispatcher, ctx, "u1", "Sam")
    in_group = Room(dispatcher, user_id="u1")
    said = await in_group.command("profile")
    assert in_group.chat_kind is ChatKind.GROUP
    # The group hears only that it went privately; the question itself is in the DM.
    assert [m.text for m in said] != [] and "optional" not in said[0].text
    assert "optional" in messenger.last("u1").text
    # A profile button pressed in a group gets a kind word, and nothing changes.
    payload = next(b.payload for b in messenger.last("u1").buttons if "Yes" in b.label)
    [answer] = await in_group.press(payload)
    assert answer.text == matching_texts.GROUP_REFUSAL


async def test_the_coordinator_approves_a_suggestion_with_a_button(
    ctx: Context,
    dispatcher: Dispatcher,
    storage: Storage,
    messenger: RecordingMessenger,
    clock: FakeClock,
) -> None:
    coordinator, coordinator_id = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    _, ana = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Ana")
    _, bo = await staff(ctx, dispatcher, Role.MENTOR, "m2", "Bo")
    _, sam_id = await mentee(dispatcher, ctx, "u1", "Sam")
    await storage.save_match_profile(
        MatchProfile(sam_id, languages=frozenset({"es"}), pathways=frozenset({Pathway.SMART})),
        clock(),
    )
    await storage.save_match_profile(
        MatchProfile(ana, languages=frozenset({"es", "en"}), pathways=frozenset({Pathway.SMART})),
        clock(),
    )
    await storage.save_match_profile(MatchProfile(bo, languages=frozenset({"en"})), clock())

    intro, listing = await coordinator.command("match")
    assert intro.text == matching_texts.SUGGESTIONS_INTRO
    assert "*Sam*" in listing.text and "speaks Spanish · SMART Recovery" in listing.text
    assert "Bo" not in listing.text  # Bo speaks no Spanish: a hard constraint
    assert approve_buttons(listing) == ["Pair with Ana"]
    assert await storage.pairing_of(sam_id) is None  # nothing paired before approval
    audit = await storage.audit_log(subject_id=sam_id)
    assert [e.action for e in audit] == [suggest.AUDIT_ACTION]

    [approved] = await coordinator.press_label("Pair with Ana")
    assert approved.text == matching_texts.APPROVED.format(mentee="Sam", mentor="Ana")
    pairing = await storage.pairing_of(sam_id)
    assert pairing is not None and pairing.mentor_id == ana
    # The same path as `peerbot pair`: the due queue tells the mentor and the mentee.
    await DueWorker(ctx).tick()
    assert messenger.last("m1").text == mentoring_texts.PAIR_NOTICE_MENTOR.format(name="Sam")
    assert "Ana" in messenger.last("u1").text
    # A second press changes nothing.
    [again] = await coordinator.press_label("Pair with Ana")
    assert again.text == matching_texts.ALREADY_PAIRED.format(mentee="Sam", mentor="Ana")
    assert coordinator_id != ana


async def test_an_approval_is_checked_again_when_pressed(
    ctx: Context, dispatcher: Dispatcher, storage: Storage, clock: FakeClock
) -> None:
    coordinator, _ = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    _, ana = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Ana")
    _, sam_id = await mentee(dispatcher, ctx, "u1", "Sam")
    await coordinator.command("match")
    await storage.set_mentor_capacity(ana, 0)  # Ana's places are gone meanwhile
    said = await coordinator.press_label("Pair with Ana")
    assert said[0].text.startswith("Ana no longer fits Sam")
    assert matching_texts.NO_FIT.format(next=matching_texts.NO_FIT_NEXT) in said[1].text
    assert await storage.pairing_of(sam_id) is None


async def test_only_a_coordinator_can_press_approve(
    ctx: Context, dispatcher: Dispatcher, storage: Storage
) -> None:
    coordinator, _ = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    _, ana = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Ana")
    sam, sam_id = await mentee(dispatcher, ctx, "u1", "Sam")
    [_, listing] = await coordinator.command("match")
    payload = listing.buttons[0].payload
    said = await sam.press(payload)  # a forwarded or guessed payload
    assert "button" in said[0].text.casefold()
    assert await storage.pairing_of(sam_id) is None and ana


async def test_newmentor_suggestions_leave_out_the_current_mentor(
    ctx: Context, dispatcher: Dispatcher, storage: Storage, messenger: RecordingMessenger
) -> None:
    coordinator, coordinator_id = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    await storage.set_on_duty(coordinator_id, ctx.clock())
    _, ana = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Ana")
    _, bo = await staff(ctx, dispatcher, Role.MENTOR, "m2", "Bo")
    sam, sam_id = await mentee(dispatcher, ctx, "u1", "Sam")
    await storage.pair(sam_id, ana, ctx.clock(), default_capacity=5)
    [reply] = await sam.command("newmentor")
    assert "your mentor isn't told" in reply.text
    # One note to the coordinator: the request and the suggestions, Ana left out.
    note = messenger.last("c1")
    assert "has asked for a different mentor" in note.text and f"/match {sam_id}" in note.text
    assert approve_buttons(note) == ["Pair with Bo"]
    assert messenger.to("m1") == []  # Ana is not told
    assert suggest.NOTE_ACTOR in [e.actor_label for e in await storage.audit_log(subject_id=sam_id)]
    [approved] = await coordinator.press(note.buttons[0].payload)
    assert approved.text == matching_texts.APPROVED.format(mentee="Sam", mentor="Bo")
    pairing = await storage.pairing_of(sam_id)
    assert pairing is not None and pairing.mentor_id == bo
    # Asked again later, Ana (whom Sam asked to leave) ranks below a fresh mentor.
    _, di = await staff(ctx, dispatcher, Role.MENTOR, "m3", "Di")
    await sam.command("newmentor")  # the day's note was sent already (one a day); /match shows
    [_, again] = await coordinator.command("match", str(sam_id))
    assert "asked for a different mentor" in again.text
    assert approve_buttons(again) == ["Pair with Di", "Pair with Ana"]
    assert "asked to leave this mentor before" in again.text and di


async def test_match_with_nobody_waiting_and_bad_ids(ctx: Context, dispatcher: Dispatcher) -> None:
    coordinator, _ = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    [nobody] = await coordinator.command("match")
    assert nobody.text == matching_texts.NOBODY_WAITING
    [unknown] = await coordinator.command("match", "999")
    assert unknown.text == matching_texts.UNKNOWN_MENTEE.format(id=999)
    [usage] = await coordinator.command("match", "x; DROP")
    assert usage.text == matching_texts.MATCH_USAGE


async def test_a_spanish_speaker_gets_the_profile_in_spanish_and_the_coordinator_english(
    ctx: Context, dispatcher: Dispatcher, storage: Storage, messenger: RecordingMessenger
) -> None:
    """The profile's buttons and lines come in the mentee's language (read when the message is
    built, never at import); the /newmentor note with its suggestions reaches an
    English-speaking coordinator in English."""
    coordinator, coordinator_id = await staff(ctx, dispatcher, Role.COORDINATOR, "c1", "Cy")
    await storage.set_on_duty(coordinator_id, ctx.clock())
    _, ana = await staff(ctx, dispatcher, Role.MENTOR, "m1", "Ana")
    _, bo = await staff(ctx, dispatcher, Role.MENTOR, "m2", "Bo")
    await storage.save_match_profile(MatchProfile(bo, languages=frozenset({"es"})), ctx.clock())
    sam, sam_id = await mentee(dispatcher, ctx, "u1", "Sam")
    await storage.update_settings(sam_id, language="es")

    [ask] = await sam.command("profile")
    assert "nunca otras personas mentoradas" in ask.text
    await sam.press_label("Sí, hagámoslo")
    [languages] = await sam.press_label("Idiomas")
    assert "español" in approve_buttons(languages) and "Spanish" not in approve_buttons(languages)
    await sam.press_label("español")
    [menu] = await sam.press_label("Volver")
    assert "Idiomas: español" in menu.text and "not said" not in menu.text
    [done] = await sam.press_label("Listo")
    assert done.text.startswith("Guardado.")

    await storage.pair(sam_id, ana, ctx.clock(), default_capacity=5)
    [reply] = await sam.command("newmentor")
    with speaking("es"):
        assert reply.text == mentoring_texts.NEW_MENTOR_SENT  # Sam's own answer, in Spanish
    assert reply.text != mentoring_texts.NEW_MENTOR_SENT
    note = messenger.last("c1")
    assert "has asked for a different mentor" in note.text and "persona" not in note.text
    assert "speaks Spanish" in note.text and "habla" not in note.text
    assert approve_buttons(note) == ["Pair with Bo"]
    [approved] = await coordinator.press(note.buttons[0].payload)
    assert approved.text == matching_texts.APPROVED.format(mentee="Sam", mentor="Bo")
