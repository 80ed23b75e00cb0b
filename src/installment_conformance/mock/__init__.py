"""The stateful reference mock gateway: every endpoint and rule of CONTRACT.md, its numbers from the profile."""

from installment_conformance.mock.app import create_app

__all__ = ["create_app"]
