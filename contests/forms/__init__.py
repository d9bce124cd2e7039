"""Forms of the contests feature, one module per sub-feature (participants, attempts, rounds, questions, results,
flags). Forms check shape; the quiz services hold the rules."""
