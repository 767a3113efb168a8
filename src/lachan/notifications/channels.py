"""Delivery channels. E-mail today; Telegram and webhooks register here later."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .models import Notification


class Channel(Protocol):
    name: str

    def deliver(self, notification: Notification) -> None:
        """Send one notification; raise on failure."""


class EmailChannel:
    name = "email"

    def deliver(self, notification: Notification) -> None:
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
        )
        message.send(fail_silently=False)


CHANNELS: dict[str, Channel] = {"email": EmailChannel()}


def register_channel(channel: Channel) -> None:
    CHANNELS[channel.name] = channel
