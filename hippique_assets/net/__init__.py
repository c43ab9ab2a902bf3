"""Polite HTTP: an identifiable client with a per-host rate limit and retries with backoff."""
