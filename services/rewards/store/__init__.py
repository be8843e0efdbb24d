"""Rewards' database side."""
