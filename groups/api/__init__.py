"""The public directory as an Open Referral HSDS 3.0 read-only API and data package."""
