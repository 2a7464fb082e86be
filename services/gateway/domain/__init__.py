"""The gateway's pure rules: people and roles, sessions, sign-in back-off, what a page shows."""
