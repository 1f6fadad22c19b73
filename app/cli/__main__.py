"""``python -m app.cli`` runs the ``tandem`` command."""

from app.cli import main

main()
