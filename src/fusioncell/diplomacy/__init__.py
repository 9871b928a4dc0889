"""The diplomatic desk: joint statements approved and signed by every party, and the parties' signing keys.

Meetings and commitments are in the sub-packages of the same names.
"""
