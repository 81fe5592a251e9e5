"""``python -m ballotproof …`` runs the command line, as the ``ballotproof`` script does."""

from ballotproof.cli.app import main

main()
