"""Applying a plan: journaled, verified writes; rollback; the results workbook."""
