"""Tiering's database side: `tables.py`, and one module per idea, named like its rules
module where the idea is the same (members, memberships, quotes, tiers, qualifying)."""
