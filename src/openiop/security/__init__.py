"""Accounts, sign-in, sessions, MFA, API tokens, permissions and the audit trail."""
