"""Durable delivery of alert messages to Slack: the outbox worker and the Slack calls it makes."""
