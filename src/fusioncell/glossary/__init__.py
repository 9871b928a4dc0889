"""The cell's agreed trilingual glossary: terms the mediator proposes and the principals approve."""
