"""Development kit: local stand-ins and tooling (not deployed)."""
