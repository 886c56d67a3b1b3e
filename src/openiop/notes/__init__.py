"""Clinical notes: group notes written once, chart notes, signing, addenda, private notes."""
