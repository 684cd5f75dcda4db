"""Talking to Esploro: the HTTP client, its pacing, settings, error bodies and entities."""
