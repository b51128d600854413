"""Korean formats."""
