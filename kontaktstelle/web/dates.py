"""Date arithmetic shared by the reports and the programme."""


def add_years(day, years):
    """The same day ``years`` later or earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
