"""Delivery channels: how one stored notification reaches one address.

E-mail is the only channel today. A later channel (Telegram, a webhook) is one class with the
three members of ``Channel`` and one ``register_channel`` call; the service then fans every
event out to it on its own, because it asks each enabled channel for the addresses of the
audience and stores one outbox row per (channel, address).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives

from .models import Notification


@dataclass(frozen=True)
class Audience:
    """Who should hear about an event.

    ``users`` are accounts (each channel finds its own address for a user: an e-mail, a chat
    id…); ``emails`` are plain addresses from records, such as a unit's IT officer e-mail.
    """

    users: tuple[Any, ...] = ()
    emails: tuple[str, ...] = ()
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)  # channel name -> addresses


@runtime_checkable
class Channel(Protocol):
    name: str

    def is_enabled(self) -> bool:
        """False when the channel is not configured here (no token, no URL…)."""

    def addresses(self, audience: Audience) -> list[str]:
        """This channel's addresses for the audience, without duplicates."""

    def deliver(self, notification: Notification) -> None:
        """Send one notification; raise on any failure (the service records it and retries)."""


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        value = (value or "").strip()
        if value and value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


class EmailChannel:
    name = "email"

    def is_enabled(self) -> bool:
        return True

    def addresses(self, audience: Audience) -> list[str]:
        return sorted(
            _unique(
                [
                    *audience.emails,
                    *(getattr(u, "email", "") for u in audience.users),
                    *audience.extra.get(self.name, ()),
                ]
            ),
            key=str.lower,
        )

    def deliver(self, notification: Notification) -> None:
        headers = {**(notification.headers or {}), "X-Lachan-Event": notification.event}
        kwargs = {
            "subject": notification.subject,
            "body": notification.body,
            "from_email": notification.from_email or settings.DEFAULT_FROM_EMAIL,
            "to": [notification.recipient],
            "headers": headers,
        }
        if notification.html_body:
            message = EmailMultiAlternatives(**kwargs)
            message.attach_alternative(notification.html_body, "text/html")
        else:
            message = EmailMessage(**kwargs)
        message.send(fail_silently=False)


CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel, *, replace: bool = False) -> Channel:
    """Make a channel available to the service (call it from an AppConfig.ready)."""
    if not isinstance(channel, Channel):
        raise TypeError(f"{channel!r} does not implement the Channel protocol")
    if channel.name in CHANNELS and not replace:
        raise ValueError(f"channel {channel.name!r} is already registered")
    CHANNELS[channel.name] = channel
    return channel


def get_channel(name: str) -> Channel | None:
    return CHANNELS.get(name)


def enabled_channels() -> list[Channel]:
    return [c for c in CHANNELS.values() if c.is_enabled()]


register_channel(EmailChannel())
