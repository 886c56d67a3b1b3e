"""Attendance: the minutes ledger and the weekly compliance it feeds.

`compliance` holds the pure weekly rules (no FastAPI, SQLAlchemy or Jinja).
"""
