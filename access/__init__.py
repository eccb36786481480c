"""Accounts, roles and the permission checks every write passes through."""
