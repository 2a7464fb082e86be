"""Pure rules of the audience service: scenes and attribution, followers, replies and
their matcher, the menu's limits, the reconciliation of daily totals."""
