"""The cell definition: parties, roles, desks, channels, lines, zones, places, incident types and rules,
and targets.

A cell is described by one YAML file, validated by the Pydantic models in `definition` (built from the
parts in `common`, `zones` and `incidents`) and loaded by `loader` (which turns every mistake into a
`CellDefinitionError` naming the file and line). `default.yaml` is the Israel–Syria cell under US
supervision from SCENARIO.md.
"""
