"""`patronage simulate`: replay a population through a program, offline, and print what it
would cost (docs/simulate.md). The money math is the services' own pure rules
(`services/*/rules/`), so a simulated figure cannot drift from what production pays.
"""
