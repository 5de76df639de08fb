"""What people read of a timeline: the story (:mod:`.story`), the trend chart and small
maps (:mod:`.charts`), and the folder with timeline.html (:mod:`.report`)."""
