"""The diplomatic desk's meetings: venue, time, participants, agenda, attachments, and minutes that
enter the record as agreed only once every attending party has approved them."""
