"""What the numbers of runs mean: statistics (intervals, Kaplan-Meier, Gini), a market run's
steady-state outcomes, the strategy comparison and effects over a posterior. Imports only
``sim.model``."""
