"""The atlas: every council's alignment through time, as a static site
(:mod:`.site`), from the figures of :mod:`.content` and the shapes of :mod:`.shapes`."""
