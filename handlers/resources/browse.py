"""``/resources``: the program's directory of local services, by category.

``/resources`` offers the categories that have entries as buttons; ``/resources housing`` lists
one. The crisis category always starts with the program's crisis lines, so it is never empty.
Anyone may use it, even before setting up: someone looking for help should not need an account.
A mentor also gets "Send to a mentee" buttons under a list (:mod:`handlers.resources.sending`).
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Capability, CommandSpec, Context, Replies, Turn
from handlers.crisis.helplines import helplines_for
from handlers.crisis.reply import crisis_line
from handlers.dispatcher import stale_button
from handlers.messaging import OutgoingMessage
from handlers.program import CATEGORIES, Resource, ResourceDirectory
from handlers.resources import texts
from handlers.resources.offer import send_offer
from handlers.routes import Route

FLOW = "rs"


@dataclass(frozen=True, slots=True)
class CategoryPress:
    """Show one category of the directory."""

    category: str


CATEGORY = Route(FLOW, "cat:{category}", CategoryPress)
MAX_MESSAGE_CHARS = 3500
"""Split long lists well under Telegram's 4096-character limit."""

ALIASES = {
    "jobs": "employment",
    "job": "employment",
    "work": "employment",
    "meeting": "meetings",
    "groups": "meetings",
    "law": "legal",
    "lawyer": "legal",
    "housing": "housing",
    "shelter": "housing",
    "medical": "health",
    "doctor": "health",
    "rehab": "treatment",
    "families": "family",
    "help": "crisis",
}


def resource_text(resource: Resource) -> str:
    """One entry as a short block: name, what it is, how to reach it, when and where."""
    lines = [f"*{resource.name}*", resource.description]
    contact = [
        template.format(**{key: value})
        for key, value, template in (
            ("phone", resource.phone, texts.ENTRY_PHONE),
            ("text", resource.text, texts.ENTRY_TEXT),
            ("url", resource.url, texts.ENTRY_URL),
        )
        if value
    ]
    if contact:
        lines.append(" · ".join(contact))
    details = []
    if resource.hours:
        details.append(texts.ENTRY_HOURS.format(hours=resource.hours))
    if resource.area:
        details.append(texts.ENTRY_AREA.format(area=resource.area))
    if resource.languages:
        details.append(texts.ENTRY_LANGUAGES.format(languages=", ".join(resource.languages)))
    if details:
        lines.append(" · ".join(details))
    return "\n".join(lines)


def category_of(word: str) -> str | None:
    key = word.strip().casefold()
    if key in CATEGORIES:
        return key
    for category, label in texts.CATEGORY_LABELS.items():
        if key == label.casefold():
            return category
    return ALIASES.get(key)


def menu(ctx: Context, text: str | None = None) -> OutgoingMessage:
    directory = ctx.program.resources
    present = directory.categories()
    if not present:
        return OutgoingMessage(texts.NO_DIRECTORY.format(crisis_line=crisis_line(ctx.program)))
    shown = ["crisis", *(c for c in present if c != "crisis")]
    buttons = [CATEGORY.button(texts.CATEGORY_LABELS[c], CategoryPress(c)) for c in shown]
    return OutgoingMessage.with_buttons(text or texts.MENU, buttons, per_row=2)


def category_messages(ctx: Context, category: str) -> Replies:
    directory: ResourceDirectory = ctx.program.resources
    label = texts.CATEGORY_LABELS[category]
    blocks = [resource_text(r) for r in directory.in_category(category)]
    if category == "crisis":
        lines = [texts.CRISIS_FIRST] + [
            texts.CRISIS_RESOURCE_LINE.format(name=r.name, contact=r.contact)
            for r in helplines_for(ctx.program.crisis).lines
        ]
        blocks.insert(0, "\n".join(lines))
    if not blocks:
        return [OutgoingMessage(texts.NONE_IN_CATEGORY.format(label=label.lower()))]
    blocks.insert(0, texts.LIST_HEADER.format(label=label))
    blocks.append(texts.LIST_FOOTER)
    messages: Replies = []
    current: list[str] = []
    for block in blocks:
        if current and len("\n\n".join([*current, block])) > MAX_MESSAGE_CHARS:
            messages.append(OutgoingMessage("\n\n".join(current)))
            current = []
        current.append(block)
    messages.append(OutgoingMessage("\n\n".join(current)))
    return messages


async def resources_command(ctx: Context, turn: Turn, args: tuple[str, ...]) -> Replies:
    if not args:
        return [menu(ctx)]
    category = category_of(" ".join(args))
    if category is None:
        return [menu(ctx, texts.UNKNOWN_CATEGORY)]
    return [*category_messages(ctx, category), *await send_offer(ctx, turn, category)]


class ResourcesFlow:
    """Only buttons: the directory keeps no conversation state."""

    name = FLOW

    async def on_button(self, ctx: Context, turn: Turn, payload: str) -> Replies:
        press = CATEGORY.decode(payload)
        if press is not None and press.category in CATEGORIES:
            category = press.category
            return [*category_messages(ctx, category), *await send_offer(ctx, turn, category)]
        return [stale_button(texts.STALE_NEXT_STEP)]

    async def on_text(self, ctx: Context, turn: Turn, text: str) -> Replies:
        return [menu(ctx)]


CAPABILITY = Capability(
    commands=(
        CommandSpec(
            "resources",
            "find local services: housing, work, health, meetings and more",
            resources_command,
            needs_person=False,
            arg_hint="[topic]",
        ),
    ),
    flows=(ResourcesFlow(),),
)
