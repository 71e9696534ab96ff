"""The assistant: retrieval, evidence selection, answer composition, abstention."""
