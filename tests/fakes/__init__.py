"""Fakes of external systems, shared by unit, integration and e2e tests."""
