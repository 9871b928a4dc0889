"""The commercial desk: the joint economic zone's projects, their sites and progress against the targets."""
