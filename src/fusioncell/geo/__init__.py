"""Geography of the cell: the zones and lines of its definition as shapes, and where a report lies.

`geometry` builds the shapes (in UTM zone 36N, where distances are metres); `service` classifies
locations against them (`Geography.place`, `place_points`) and evaluates the cell's incident rules
(`Geography.violations`); `endpoints` serves the zones as GeoJSON and a classification on request;
`pages` serves the map page that draws them.
"""
