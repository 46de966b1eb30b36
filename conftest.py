"""Settings shared by every test suite in the repository."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Tests assert behaviour, never speed: on a loaded two-core CI machine an example may
# take longer than hypothesis' default 200 ms deadline without anything being wrong.
settings.register_profile("pywebnn", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("pywebnn")
