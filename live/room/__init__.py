"""The room: learning sessions made from the curriculum, teams joining, the run of show, the state."""
