"""The only layer that joins the database session and the pure domain; takes ``now`` where time matters."""
