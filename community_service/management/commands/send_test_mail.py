"""Send a test mail and print the SMTP settings in use (the password never)."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the mail settings in use, then send a test mail to --to (exit 1 if the server refuses it)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--to", required=True, help="Recipient address.")

    def handle(self, *args: Any, to: str, **options: Any) -> None:
        backend = settings.EMAIL_BACKEND
        self.stdout.write(f"backend: {backend}")
        if backend.endswith("smtp.EmailBackend"):
            security = "ssl" if settings.EMAIL_USE_SSL else "starttls" if settings.EMAIL_USE_TLS else "none"
            self.stdout.write(f"host: {settings.EMAIL_HOST}:{settings.EMAIL_PORT} security: {security} "
                              f"user: {settings.EMAIL_HOST_USER or '(none)'} timeout: {settings.EMAIL_TIMEOUT}")
        self.stdout.write(f"from: {settings.DEFAULT_FROM_EMAIL}")
        message = EmailMultiAlternatives(
            subject="Community Service test mail", to=[to],
            body="This is a test mail from Community Service: notification mail can reach you.")
        message.attach_alternative("<p>This is a test mail from <b>Community Service</b>.</p>", "text/html")
        try:
            message.send()
        except Exception as exc:  # the server's answer is the point of this command
            raise CommandError(f"sending to {to} failed: {exc!r}") from exc
        self.stdout.write(f"sent to {to}")
