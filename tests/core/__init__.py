"""Tests of the core: accounts, offices, audit, notifications, web, privacy, reports."""
