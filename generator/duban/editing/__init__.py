"""Editing task files the way a careful person would: `duban new`, `update`, `complete`, `extend`, `remind`.

One module, one job:

- `roundtrip` reads a file into ruamel.yaml's round-trip tree and writes it back with the file's own
  indentation, quoting, comments, newline style and byte-order mark;
- `layout` inserts keys in FORMAT.md's order and appends list items, moving the comments that belong to what
  follows (a comment before the next key, the end of the file) below the new lines;
- `records` builds the new records (dates as plain `2026-06-30` scalars, multi-line text as `|` blocks);
- `changes` is what each command does to a task; `newtask` builds a new task file;
- `staging` writes atomically (temporary file in the same folder, then rename);
- `verify` runs duban's own checks on the new text, in the registry, before anything is replaced;
- `session` is the pipeline every command runs; `catalog` holds every sentence the commands print.
"""
