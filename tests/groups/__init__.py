"""Tests of the group directory app."""
