"""Telegram Bot API emulator (telegram-test-api + fixes) for end-to-end tests."""
