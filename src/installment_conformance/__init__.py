"""Contract, conformance suites and reference mock for Thai installment payments over the Omise API."""

__version__ = "0.1.0"
