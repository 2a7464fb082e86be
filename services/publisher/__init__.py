"""The publisher service: each official account's slot calendar (the plan's Mon/Wed/Fri
11:30 Asia/Shanghai by default), timed publishing that never double-posts, and the
channels (local files/webhook, WeChat, each account its own)."""
