"""The generic Idempotency-Key of API writes: a retried write after a lost answer is never stored twice."""
