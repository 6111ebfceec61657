# Excerpt from requests 2.32.3, src/requests/cookies.py (Apache-2.0 licence)
class MockRequest:
    def add_header(self, key, val):
        """cookiejar has no legitimate use for this method; add it back if you find one."""
        raise NotImplementedError(
            "Cookie headers should be added with add_unredirected_header()"
        )
