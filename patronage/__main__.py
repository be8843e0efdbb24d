from patronage.cli import main

main()
