"""Reports of a plan, for the person who approves it, and of the commands that make and run it.

`terminal` prints plans and command summaries, `html` writes the self-contained HTML report,
and `words` holds the wording of outcomes that both share with the annotated workbook
(`sheetsync.workbook.annotate`, apart because only that package may import openpyxl).
"""

from sheetsync.report.html import html_report, write_html_report
from sheetsync.report.terminal import render_plan
from sheetsync.report.words import human_duration

__all__ = ["html_report", "human_duration", "render_plan", "write_html_report"]
