"""The conformance pytest plugin (filled in by the harness work)."""
