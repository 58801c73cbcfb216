"""Offices: networks, offices, sites, rooms and their legal texts. Base layer: imports no
app.
"""
