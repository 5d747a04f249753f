"""author/ is a bot author's project, run from an installed wheel by check_wheel.py only."""

collect_ignore = ["author"]
