"""A party's own witness (C2SP tlog-witness), its cosignatures (C2SP tlog-cosignature) and
the client a log uses to ask for them."""
