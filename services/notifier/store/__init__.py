"""The notifier's database side: contacts and consents, messages, the in-app inbox."""
