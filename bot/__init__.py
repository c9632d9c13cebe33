"""tsgbot: turns a pasted Azure ML online-endpoint error into a diagnosis."""
