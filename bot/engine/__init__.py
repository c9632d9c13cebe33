"""The pure diagnosis: paste in, ranked entries with evidence out. No Slack, no database, no environment."""
