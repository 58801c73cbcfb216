"""The demo data of `make run` (``seed_demo``): two offices with groups, consultations,
volunteers, their training and a year of accompaniments. The groups and volunteers are
JSON files in ``data/``; the code here turns them into records. Top layer: uses both apps.
"""
