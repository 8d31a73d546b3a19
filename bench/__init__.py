"""Speed and scale benchmarks of the Open Space organizer (run `make bench`; see docs/performance.md)."""
