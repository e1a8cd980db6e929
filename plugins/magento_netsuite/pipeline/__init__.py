"""Shared pipeline pieces: staging batch files between tasks, record outcomes, run summaries."""
