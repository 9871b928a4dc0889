"""The de-escalation desk's verification: force-posture declarations, inspections, the withdrawal tracker."""
