from patronage.cli import app

app()
