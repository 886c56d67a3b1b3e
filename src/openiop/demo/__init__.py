"""Synthetic demo data: a fictional California provider with staff, tracks and patients.

`plan` builds it as plain data from a seed; `service` writes it to the database.
"""
