"""Top-level pytest configuration: the conformance plugin itself loads through its pytest11 entry point."""

collect_ignore = ["benchmarks"]
