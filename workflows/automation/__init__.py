"""Automation rules: a trigger, conditions and ordered actions carried out as the rule's owner.

Apps register what they fire and do with `register_trigger` / `register_action`; code that fires a
trigger that is not an audit event calls `fire`. See docs/automation.md.
"""
