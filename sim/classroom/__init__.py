"""The classroom demo: its model (:mod:`sim.classroom.model`, two strategies on one seed) and
its Solara page (:mod:`sim.classroom.page`, imported only when the demo is served). Imports
everything below it, nothing above."""
