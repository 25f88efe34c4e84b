"""Encryption at rest of the free text people write (notes, safety plans, goals, comments).

A :class:`TextCipher` wraps Fernet (AES-128-CBC with an HMAC-SHA256, from ``cryptography``).
Stored ciphertext is tagged ``fernet:`` so rows written before a key was set (plain text, no
tag) still read as they are, and ``peerbot rotate-key`` can tell which is which. The key comes
from the environment (``PEERBOT_DATA_KEY``, read in ``bot.config``); storage never reads it.
"""

from __future__ import annotations

from typing import overload

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "fernet:"


class CipherError(Exception):
    """Text that cannot be encrypted or decrypted with the keys at hand (never says the text)."""


class TextCipher:
    """Encrypts with ``key``; decrypts with ``key`` or any of ``older`` (for rotation)."""

    def __init__(self, key: str | bytes, *older: str | bytes) -> None:
        try:
            self._fernet = MultiFernet([Fernet(k) for k in (key, *older)])
        except (ValueError, TypeError):
            raise CipherError(
                "not a Fernet key (32 url-safe base64-encoded bytes, as `peerbot new-data-key` "
                "prints)"
            ) from None

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, text: str) -> str:
        return PREFIX + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The text of a stored value; a value without the tag is legacy plain text."""
        if not is_sealed(stored):
            return stored
        try:
            return self._fernet.decrypt(stored.removeprefix(PREFIX).encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise CipherError("stored text does not decrypt with this key") from None

    def __repr__(self) -> str:
        return "TextCipher(<key hidden>)"


def is_sealed(value: object) -> bool:
    """Whether a stored value is ciphertext this module wrote."""
    return isinstance(value, str) and value.startswith(PREFIX)


@overload
def seal(cipher: TextCipher | None, text: str) -> str: ...
@overload
def seal(cipher: TextCipher | None, text: None) -> None: ...
def seal(cipher: TextCipher | None, text: str | None) -> str | None:
    """What to store for ``text``: ciphertext with a key, the text itself without one.

    ``None`` and ``""`` are stored as they are (an empty part is not a secret).
    """
    if cipher is None or not text:
        return text
    return cipher.encrypt(text)


@overload
def unseal(cipher: TextCipher | None, stored: str) -> str: ...
@overload
def unseal(cipher: TextCipher | None, stored: None) -> None: ...
def unseal(cipher: TextCipher | None, stored: str | None) -> str | None:
    """The text of a stored value; raises :class:`CipherError` for ciphertext without a key."""
    if stored is None or not is_sealed(stored):
        return stored
    if cipher is None:
        raise CipherError("stored text is encrypted, but no key (PEERBOT_DATA_KEY) is set")
    return cipher.decrypt(stored)


KEY_CHECK_TEXT = "peer-support-bot data key check"
"""The phrase a database stores encrypted with its key (its canary): a key that decrypts it
back is the key the database's text was written with."""


def key_check(cipher: TextCipher) -> str:
    """The canary to store for ``cipher``."""
    return cipher.encrypt(KEY_CHECK_TEXT)


def opens_key_check(cipher: TextCipher, stored: str) -> bool:
    """Whether ``cipher`` decrypts the stored canary back to its phrase."""
    try:
        return is_sealed(stored) and cipher.decrypt(stored) == KEY_CHECK_TEXT
    except CipherError:
        return False
