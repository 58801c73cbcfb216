"""The domain error of the programme's services."""


class StarterError(Exception):
    """A change the current state does not allow; the message is for users."""
