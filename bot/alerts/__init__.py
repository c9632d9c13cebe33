"""Alert webhooks: senders' payloads parsed into Alert values, their text for the engine, auth and routing."""
