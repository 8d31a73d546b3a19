"""Blueprints: participant pages and projector wall, organizer pages, JSON API."""
