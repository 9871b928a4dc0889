"""Fusion of duplicate incident reports: proposed by the desk, decided by the mediator."""
