"""The de-escalation desk's incidents: reports, their lifecycle, escalations and complaints."""
