"""Rewards' rules, pure: values in, values out, `RuleViolation`s raised. Nothing here
imports a web framework, a database driver or the service's store/, api/, handlers or
jobs/ (tests/unit/rewards/test_rules_are_pure.py walks the imports)."""
