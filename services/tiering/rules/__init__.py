"""Tiering's rules, pure: values in, values out, `RuleViolation`s raised. No framework,
no database: the handlers, jobs and routes load (store/), decide here, and write."""
