from rejectscan.cli import main

main()
