"""Rewards' rules, pure: values in, values out."""
