from storymap.cli import main

main()
