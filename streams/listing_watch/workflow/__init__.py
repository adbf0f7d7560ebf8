"""The investigators' workflow: dispositions, routing, coverage, Annex 2."""
