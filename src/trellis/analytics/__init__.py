"""Org-scale numbers and charts: numpy, pandas, lifelines and matplotlib live here."""
