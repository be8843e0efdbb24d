"""Rewards' database side: the tables, and one module per idea with the rules' names."""
