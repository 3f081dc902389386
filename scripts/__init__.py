"""Set-up, training and serving helpers used by the Makefile (run as `python -m scripts.X`)."""
