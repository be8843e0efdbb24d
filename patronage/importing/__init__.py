"""`patronage import members|balances|terms|history FILE`: a merchant's existing members,
balances, past spend and membership terms, from CSV or JSON Lines (docs/import.md)."""
