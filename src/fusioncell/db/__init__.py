"""Engine, sessions, the declarative base and the envelope every shared record carries."""
