"""Can a dispute go to mediation: dispute types and (later) the screening rules."""
