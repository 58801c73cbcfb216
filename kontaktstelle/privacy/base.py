"""What the parts of the privacy package share."""

PROJECT_APPS = ("kontaktstelle", "groups", "starters")
EXPORT_FORMAT = "kontaktstelle-personal-data"
EXPORT_VERSION = 1
# Credentials: erased with the account, never written into an export.
SECRET_FIELDS = {"password", "token_hash", "calendar_token_hash", "key"}
# A name shorter than this is not searched for in free texts (too many false matches).
MIN_MENTION_LENGTH = 5
