"""An email backend for worker processes in tests: each message a file in KOMEK_TEST_MAIL_DIR, so
the test counts what another process sent (set EMAIL_BACKEND=tests.mail_files.EmailBackend)."""

import os
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(os.environ["KOMEK_TEST_MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


def sent(folder):
    """The messages written to `folder`, parsed."""
    from email import message_from_bytes, policy

    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(Path(folder).glob("*.eml"))
    ]
