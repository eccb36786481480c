"""督办 rules: who may edit milestones, chase, and move an extension request (supervision/rules.py)."""
