"""The error queue: quarantined records with what failed, why, and how to fix it; replay in one step."""
