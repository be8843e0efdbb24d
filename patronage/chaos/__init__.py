"""The chaos suite: the real stack (Kafka, PostgreSQL, every service as its own process)
under a mixed load while faults are injected, then the invariants measured and printed
(docs/operations.md, "Chaos runs"). Modules: stack, tcp_proxy, client, load, faults,
deliveries, invariants, report, run, command."""
