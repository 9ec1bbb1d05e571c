"""Tickets: complaints, support requests and suggestions, with tracking codes, a staff
desk, SLAs counted in business hours, and satisfaction ratings (shared/DESIGN.md)."""
