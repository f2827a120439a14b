"""The question board: participants post questions and upvote others'; faculty approve, pin and
answer them; the projector shows the top ones."""
