"""Polite HTTP: an identifiable client with a per-host rate limit, retries with backoff and
bounded answers (body size, total deadline per attempt, same-origin redirects)."""
