"""Build the map's country borders: Natural Earth 1:50m (npm world-atlas 2.0.2) TopoJSON -> GeoJSON.

    .venv/bin/python tools/build_borders.py                  # runs `npm pack world-atlas@2.0.2` in a temp dir
    .venv/bin/python tools/build_borders.py --source countries-50m.json   # or a copy already at hand

Writes src/fusioncell/web/static/map/borders.geojson: the countries that reach into the region (REGION below),
each clipped to it, coordinates rounded to 4 decimals (the source is quantised to ~0.0036 x 0.0017 degrees),
rings wound as RFC 7946 asks (exteriors counter-clockwise). The output is deterministic: the same input gives
the same bytes, so a rebuild shows up in git only if the input changed.

The TopoJSON decoding follows topojson-client 3.1.0's feature(): delta-decoded, transformed arcs stitched
into rings (a negative index ~i is arc i reversed; the shared point between consecutive arcs is kept once).
Only the Python standard library: nothing to install beyond npm for the fetch.
"""

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "world-atlas@2.0.2"
MEMBER = "package/countries-50m.json"
# sha256 of countries-50m.json in world-atlas 2.0.2 (npm integrity of the tarball:
# sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==).
SOURCE_SHA256 = "04342cdc1e3016bcd7db1630de95684d67b79fe3c8c460321e87aef469502394"
# The region drawn: the Levant and its neighbours (west, south, east, north), in degrees.
REGION = (25.0, 25.0, 50.0, 42.0)
DIGITS = 4
OUTPUT = Path(__file__).resolve().parent.parent / "src/fusioncell/web/static/map/borders.geojson"

Point = tuple[float, float]
Ring = list[Point]


def fetch_source() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("world-atlas-*.tgz"))
        with tarfile.open(tarball) as archive:
            return archive.extractfile(MEMBER).read()


def decode_arcs(topology: dict) -> list[Ring]:
    """Absolute lon/lat positions of every arc (quantised deltas -> cumulative -> scale + translate)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def stitch(indexes: list[int], arcs: list[Ring]) -> Ring:
    points: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        if points:
            points.pop()  # the previous arc's last point is this arc's first
        points.extend(arc)
    if len(points) < 4:
        points.append(points[0])
    return points


def polygons_of(geometry: dict, arcs: list[Ring]) -> list[list[Ring]]:
    if geometry["type"] == "Polygon":
        return [[stitch(ring, arcs) for ring in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[stitch(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]]
    return []


def clip(ring: Ring, region: tuple[float, float, float, float]) -> Ring:
    """Sutherland-Hodgman against the region's rectangle (convex, so any ring clips correctly; a ring that
    leaves and re-enters gets a segment along the edge, at the edge of the drawn region)."""
    west, south, east, north = region
    edges = [
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    ]
    points = ring[:-1]  # open
    for inside, cross in edges:
        if not points:
            break
        kept: Ring = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    kept.append(cross(previous, current))
                kept.append(current)
            elif inside(previous):
                kept.append(cross(previous, current))
            previous = current
        points = kept
    return points + points[:1]


def _at_x(a: Point, b: Point, x: float) -> Point:
    return (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    return (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)


def tidy(ring: Ring) -> Ring:
    """Round, drop repeated points; closed."""
    out: Ring = []
    for lon, lat in ring:
        point = (round(lon, DIGITS), round(lat, DIGITS))
        if not out or point != out[-1]:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def signed_area(ring: Ring) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False)) / 2


def wound(ring: Ring, exterior: bool) -> Ring:
    """RFC 7946 section 3.1.6: exteriors counter-clockwise, holes clockwise."""
    return ring if (signed_area(ring) > 0) == exterior else ring[::-1]


def build(source: bytes, region: tuple[float, float, float, float] = REGION) -> dict:
    topology = json.loads(source)
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = []
        for polygon in polygons_of(geometry, arcs):
            rings = [tidy(clip(ring, region)) for ring in polygon]
            if len(rings[0]) < 4 or signed_area(rings[0]) == 0:
                continue  # the exterior lies outside the region
            holes = [wound(r, False) for r in rings[1:] if len(r) >= 4 and signed_area(r) != 0]
            polygons.append([wound(rings[0], True), *holes])
        if not polygons:
            continue
        coordinates = [[[list(p) for p in ring] for ring in polygon] for polygon in polygons]
        shape = (
            {"type": "Polygon", "coordinates": coordinates[0]}
            if len(coordinates) == 1
            else {"type": "MultiPolygon", "coordinates": coordinates}
        )
        properties = {"name": geometry["properties"]["name"], "iso_n3": geometry.get("id")}
        features.append({"type": "Feature", "properties": properties, "geometry": shape})
    features.sort(key=lambda f: f["properties"]["name"])
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m Admin 0 countries v4.1.0 (public domain), via npm world-atlas 2.0.2 "
        "(ISC); clipped to the region by tools/build_borders.py",
        "bbox": list(region),
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="countries-50m.json from world-atlas 2.0.2 (default: npm pack)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    source = args.source.read_bytes() if args.source else fetch_source()
    digest = hashlib.sha256(source).hexdigest()
    if digest != SOURCE_SHA256:
        print(f"unexpected source: sha256 {digest}, expected {SOURCE_SHA256} ({PACKAGE})", file=sys.stderr)
        return 1
    collection = build(source)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    names = ", ".join(f["properties"]["name"] for f in collection["features"])
    print(f"{args.output}: {len(collection['features'])} countries, {len(text) + 1} bytes: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
