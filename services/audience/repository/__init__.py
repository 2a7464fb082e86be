"""The audience service's MongoDB repositories: the only code on its collections."""
