"""Referral's rules, pure: codes, programs, qualification, abuse. No I/O here."""
