"""Tests of the In-Gang-Setzer programme app."""
