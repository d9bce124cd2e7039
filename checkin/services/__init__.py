"""The rules of check-in, one module per sub-feature: checkpoints (and the copy hook), tokens (signed tickets and
their short typed codes), scans (redeeming a ticket at a checkpoint under its rule, undo, the scanners' sync)."""
