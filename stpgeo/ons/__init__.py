"""ONS knowledge: GSS codes and their kinds, ONS field names, matching names to codes.

Pure functions on strings and tables; nothing here reads a file.
"""
