"""Live updates: what changed in the record, told to those who may read it (stream, webhooks, e-mail)."""
