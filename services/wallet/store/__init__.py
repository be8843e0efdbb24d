"""The wallet's database side: `tables`, and one module per idea (the same names as
rules/ where the idea is the same), SQLAlchemy Core or plain SQL on the unit of work's
connection; the recharge hot path is a stored function (`sql/wallet_recharge.sql`)."""
