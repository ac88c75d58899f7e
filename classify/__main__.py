from classify.console import main

main()
