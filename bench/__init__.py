"""Benchmarks (``make bench``): throughput and API-call budgets against the sandboxes."""
