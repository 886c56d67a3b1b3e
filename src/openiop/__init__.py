"""OpenIOP: records and operations for an intensive outpatient addiction-treatment program."""

__version__ = "0.1.0"
