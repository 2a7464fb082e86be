"""The console: people sign in and do the day's work in a browser; it calls the services
for them (#13)."""
