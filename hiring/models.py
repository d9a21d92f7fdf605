"""Candidates, requisitions, applications, scorecards and committee packets (later issues)."""
