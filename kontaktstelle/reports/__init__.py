"""Reports across both apps: the office's statistics and the coordinators' network view.
Top layer: may use groups and starters.
"""
