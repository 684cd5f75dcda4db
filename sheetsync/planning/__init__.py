"""Planning: read an edited workbook, find the edits, validate, merge with live records."""
