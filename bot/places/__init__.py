"""The places of Kazakhstan: the gazetteer's data, finding places in free text, and its build."""
