"""The publisher service: the slot calendar (Mon/Wed/Fri 11:30 Asia/Shanghai), timed
publishing that never double-posts, and the channels (local files/webhook, WeChat)."""
