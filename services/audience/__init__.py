"""Followers: branches and their QR codes, follower events, auto-replies and the menu (#14)."""
