"""Referral's database side: tables and one module per idea."""
