"""Intelligence bulletins as PDF: a BOLO, an incident's lead summary and a shift brief."""
