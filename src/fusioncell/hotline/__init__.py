"""The communication cell: channels, messages, acknowledgements, escalations, relay and review."""
