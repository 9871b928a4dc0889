"""Who is asking (subjects), the one releasability rule, accounts, sessions and tokens."""
