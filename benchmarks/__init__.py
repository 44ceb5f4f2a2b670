"""Benchmarks (`make bench`): retrieval quality, latency, build times, dialogue throughput."""
