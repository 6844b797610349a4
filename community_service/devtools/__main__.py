from community_service.devtools.cli import main

main()
