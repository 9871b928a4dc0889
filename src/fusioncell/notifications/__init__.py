"""Notifications out: signed webhooks and e-mail alerts of what is released to a party."""
