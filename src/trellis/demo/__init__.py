"""A seeded, realistic demo organization, generated as ledger records (standard library only)."""

from .generator import DemoParameters, Organization, generate_organization

__all__ = ["DemoParameters", "Organization", "generate_organization"]
