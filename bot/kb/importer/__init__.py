"""`kb import`: Markdown troubleshooting guides into draft knowledge-base entries.

`markdown` parses a guide into sections, `extract` finds what a section says (codes, statuses,
messages, steps, commands, links), `placeholders` turns example commands into templates,
`drafts` makes entry mappings and YAML of them, `run` writes files and reports.
"""
