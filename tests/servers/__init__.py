"""Real servers for tests, started by the tests themselves on the loopback address.

Nothing here is a mock and nothing listens beyond 127.0.0.1:

- `smtp`: an aiosmtpd SMTP server (plain, STARTTLS, implicit TLS, AUTH, refused recipients, slow).
- `imap`: a Dovecot IMAP server with its own configuration, user and Maildir in a temp folder.
- `browser`: headless Debian Chromium driven by Selenium through the system chromedriver.
- `web`: a static HTTP server for pages the browser loads.
- `tls`: a throwaway certificate authority (trustme) for the TLS servers and their clients.

`fixtures` is the pytest plugin that exposes them (registered in tests/conftest.py).
"""
