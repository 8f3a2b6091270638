"""Record imports shared by seeds and spreadsheet imports: `records` (fields and errors), `seeds`."""
