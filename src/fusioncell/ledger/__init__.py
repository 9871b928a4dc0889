"""The tamper-evident record: Merkle tree, signed notes, checkpoints."""
