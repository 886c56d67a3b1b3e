"""Locations, rooms, programs with their policy, tracks and staff: how the provider is set up."""
