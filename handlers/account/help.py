"""``/help``: the commands of the person's role, and the crisis line."""

from __future__ import annotations

from collections.abc import Callable

from handlers.account import help_texts as texts
from handlers.context import Capability, CommandSpec, Context, GroupReply, Replies, Turn
from handlers.crisis.reply import crisis_line, person_zone
from handlers.messaging import ChatKind, OutgoingMessage
from handlers.profile import speaking_to
from storage.people import AccountAddress, Role

CommandListing = Callable[[frozenset[Role], bool], list[CommandSpec]]


async def show_help(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    """The commands the person may use, in the program's order, and the crisis line. Seen by
    a group, it lists what anyone may use: a person's own list would tell the group their role."""
    onboarded = turn.person is not None and turn.person.onboarded
    roles = turn.roles
    event = turn.event
    if event.chat_kind is not ChatKind.DIRECT and not event.private_replies:
        onboarded, roles = False, frozenset()
    lines = [texts.HELP_HEADER]
    for spec in ctx.capabilities.commands_for(roles, onboarded):
        name = f"{spec.name} {spec.arg_hint}".strip()
        lines.append(texts.HELP_LINE.format(name=name, description=spec.described()))
    zone = await person_zone(ctx, turn.person)
    lines += ["", texts.HELP_FOOTER.format(crisis_line=crisis_line(ctx.program, zone))]
    return [OutgoingMessage("\n".join(lines))]


CAPABILITY = Capability(
    commands=(CommandSpec("help", "list what you can do", show_help, in_groups=GroupReply.HERE),)
)


async def personal_menu(
    ctx: Context, listing: CommandListing, address: AccountAddress
) -> list[tuple[str, str]] | None:
    """The command menu for someone whose roles add commands beyond a mentee's, else None.

    Adapters that show a command menu (Telegram) publish the mentee list for everyone and this
    one for the person's own chat.
    """
    person = await ctx.storage.person_for_account(address)
    if person is None or not person.onboarded:
        return None
    roles = await ctx.storage.roles_of(person.id)
    if roles <= {Role.MENTEE}:
        return None
    async with speaking_to(ctx, person.id):  # a chat's own menu, in that person's language
        return [(spec.name, spec.described()) for spec in listing(roles, True)]
