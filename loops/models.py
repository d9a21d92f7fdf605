"""Interview loops and interviewer pools (built in a later issue)."""
