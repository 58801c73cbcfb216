"""Tests of the whole system: access matrix, hostile input, headers, backups, demo."""
