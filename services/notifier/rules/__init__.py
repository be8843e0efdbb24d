"""The notifier's rules, pure: which message an event asks for, which channel may carry
it, when it may go out, how it reads in the member's language."""
