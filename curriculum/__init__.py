"""Curriculum: the module format, its loader and validator, and the bundled library.

Pure data: nothing here imports Flask or a database.
"""
