"""The volunteer's record book: what they did, as a page, a PDF, JSON and share links."""
