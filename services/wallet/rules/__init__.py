"""The wallet's rules, pure: values in, values out, `RuleViolation`s raised. No web
framework, no database driver, nothing from the wallet's store/, api/, handlers or jobs/.

Amounts are integer minor units. `entries` spells every move's journal lines, `lots` which
lots pay, `refunds` what goes back, `recharges` the stored-value limits, `purchases` the
tenders, `currencies` which currencies the merchant's wallets hold."""
