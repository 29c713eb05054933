"""Everything that fits a model: the fast tier, the accurate tier, the ensemble's weights.

Nothing here is imported when scoring: serving needs only ``civility.scoring`` and the shipped
artifacts.
"""
