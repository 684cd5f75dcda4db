"""Reports of a plan and of a run, for the terminal and as HTML."""
