"""The activity log: audit events written beside each change, read scoped, said in words, exported."""
