"""The `openiop` command line: one sub-command group per job an operator does."""
