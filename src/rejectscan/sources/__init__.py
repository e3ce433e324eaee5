"""Where raw messages come from: files on disk (files.py) or an IMAP server (imap.py)."""
